-- What every wrk script of the harness shares (loadtest/server.py's run_wrk puts this folder on
-- LUA_PATH): thread numbering, the answers counted by label, one JSON result line, `pick`,
-- `json_request` and a weighted choice of request kinds.
--
--   local common = require("wrk_common")
--   setup, done = common.setup, common.done
--   ... in response(): common.count(kind .. " " .. status)
--
-- wrk gives each thread its own Lua state: `statuses` is a global of each thread's state, read
-- back by done() (in the setup state) through thread:get.

local common = {}
local threads = {}

statuses = {}  -- label -> count

function common.setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function common.count(label)
  statuses[label] = (statuses[label] or 0) + 1
end

function common.pick(list) return list[math.random(#list)] end

-- A request with JSON headers; `token` (may be nil) signs it, `extra_headers` are added.
function common.json_request(method, path, token, body, extra_headers)
  local headers = {["Accept"] = "application/json"}
  if body then headers["Content-Type"] = "application/json" end
  if token then headers["Authorization"] = "Bearer " .. token end
  for name, value in pairs(extra_headers or {}) do headers[name] = value end
  return wrk.format(method, path, headers, body)
end

-- `mix` is {{kind, weight}, ...}; the chooser returns a kind with probability weight / total.
function common.weighted(mix)
  local total = 0
  for _, entry in ipairs(mix) do total = total + entry[2] end
  return function()
    local roll = math.random(total)
    for _, entry in ipairs(mix) do
      roll = roll - entry[2]
      if roll <= 0 then return entry[1] end
    end
  end
end

-- One line `WRK-RESULT {...}` (loadtest/server.py's WrkResult reads it).
function common.done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for label, count in pairs(thread:get("statuses")) do merged[label] = (merged[label] or 0) + count end
  end
  local parts = {}
  for label, count in pairs(merged) do table.insert(parts, string.format('"%s": %d', tostring(label), count)) end
  local errors = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, ' ..
      '"read": %d, "write": %d, "timeout": %d, "status": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.timeout, errors.status, table.concat(parts, ", ")))
end

return common
