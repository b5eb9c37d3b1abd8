-- The benchmark suite's wrk script (see benchmarks/suite.py, which writes the data file).
--
-- wrk ... -s benchmarks/suite.lua URL -- DATA_FILE
-- DATA_FILE is Lua returning {requests = {{method=, path=, body=, token=}, ...}}: the requests
-- are sent in turn (cycling), so a list of one is a fixed request (a cache hit after the first)
-- and a long list of distinct queries makes every request a miss. Statuses are counted.

local prepared = {}
local next_index = 1
statuses = {}

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  local data = dofile(args[1])
  for _, r in ipairs(data.requests) do
    local headers = {["Accept"] = "application/json"}
    if r.body then headers["Content-Type"] = "application/json" end
    if r.token then headers["Authorization"] = "Bearer " .. r.token end
    table.insert(prepared, wrk.format(r.method or "GET", r.path, headers, r.body))
  end
end

function request()
  local built = prepared[next_index]
  next_index = next_index % #prepared + 1
  return built
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do merged[status] = (merged[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(merged) do table.insert(parts, string.format('"%d": %d', status, count)) end
  io.write(string.format(
    'SUITE-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "socket_errors": %d, ' ..
      '"statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
