-- The load of loadtest/scenarios/pgbouncer.py: reads and writes in turn, as one signed-in user.
--
-- wrk ... -s loadtest/scenarios/pgbouncer.lua URL -- ACCESS_TOKEN

local common = require("wrk_common")
setup, done = common.setup, common.done

local token
local n = 0

function init(args)
  token = args[1]
end

function request()
  n = n + 1
  local kind = n % 4
  if kind == 0 then
    return common.json_request("POST", "/api/v1/posts/", token, '{"text": "load ' .. n .. '"}')
  elseif kind == 1 then
    return common.json_request("GET", "/api/v1/products/?search=product+" .. (n % 97), token)
  elseif kind == 2 then
    return common.json_request("GET", "/api/v1/accounts/", token)
  end
  return common.json_request("GET", "/api/v1/factories/?with_chart_data=true", token)
end

function response(status, headers, body)
  common.count(status)
end
