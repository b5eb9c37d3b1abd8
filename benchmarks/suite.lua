-- The benchmark suite's wrk script (see benchmarks/suite.py, which writes the data file).
--
-- wrk ... -s benchmarks/suite.lua URL -- DATA_FILE
-- DATA_FILE is Lua returning {requests = {{method=, path=, body=, token=}, ...}}: the requests
-- are sent in turn (cycling), so a list of one is a fixed request (a cache hit after the first)
-- and a long list of distinct queries makes every request a miss. Statuses are counted.

local common = require("wrk_common")
setup, done = common.setup, common.done

local prepared = {}
local next_index = 1

function init(args)
  local data = dofile(args[1])
  for _, r in ipairs(data.requests) do
    table.insert(prepared, common.json_request(r.method or "GET", r.path, r.token, r.body))
  end
end

function request()
  local built = prepared[next_index]
  next_index = next_index % #prepared + 1
  return built
end

function response(status, headers, body)
  common.count(status)
end
