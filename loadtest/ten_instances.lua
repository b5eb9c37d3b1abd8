-- The mixed load of loadtest/ten_instances.py: one wrk process per instance, as one signed-in user.
--
-- wrk gives each thread its own Lua state. ten_instances.py runs one connection per thread, so on
-- a thread request() and response() strictly alternate: `sent` is always the kind of the request
-- that the next response answers. Every request reads or writes the database: product searches
-- with a fresh term each time (cache misses), factory and account lists, product details, and
-- post and message creates.
--
-- wrk ... -s loadtest/ten_instances.lua URL -- ACCESS_TOKEN ACCOUNT_ID PRODUCT_IDS INSTANCE
-- PRODUCT_IDS is comma-separated; INSTANCE (1..10) only tells the writes of one instance apart.

local token, account, products, instance
local serial = 0
local sent = nil
statuses = {}              -- "kind status" -> count; read by done() through thread:get

local next_thread_number = 0
local threads = {}

function setup(thread)
  next_thread_number = next_thread_number + 1
  thread:set("thread_number", next_thread_number)
  table.insert(threads, thread)
end

local function pick(list) return list[math.random(#list)] end

local function json_request(method, path, body)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
  return wrk.format(method, path, headers, body)
end

local function next_serial()
  serial = serial + 1
  return instance .. "-" .. thread_number .. "-" .. serial
end

local kinds = {}

function kinds.product_search()
  -- A term no earlier request used (almost surely): the cache misses and the query runs.
  return json_request("GET", "/api/v1/products/?page_size=10&search=product+" .. math.random(1, 1000000))
end

function kinds.product_detail()
  return json_request("GET", "/api/v1/products/" .. pick(products) .. "/")
end

function kinds.factory_list()
  return json_request("GET", "/api/v1/factories/")
end

function kinds.account_list()
  return json_request("GET", "/api/v1/accounts/")
end

function kinds.post_create()
  return json_request("POST", "/api/v1/posts/", string.format('{"text": "ten instances %s"}', next_serial()))
end

function kinds.message_create()
  return json_request("POST", "/api/v1/messages/", string.format(
    '{"account": "%s", "sender_number": "+14155550123", "receiver_number": "+14155550188", "body": "ten %s"}',
    account, next_serial()))
end

local mix = {
  {"product_search", 4}, {"product_detail", 2}, {"factory_list", 2}, {"account_list", 2},
  {"post_create", 2}, {"message_create", 2},
}
local total_weight = 0

function init(args)
  token, account, instance = args[1], args[2], args[4]
  products = {}
  for id in string.gmatch(args[3], "[^,]+") do table.insert(products, id) end
  math.randomseed(os.time() + thread_number * 7919 + tonumber(instance) * 104729)
  for _, entry in ipairs(mix) do total_weight = total_weight + entry[2] end
end

local function choose_kind()
  local roll = math.random(total_weight)
  for _, entry in ipairs(mix) do
    roll = roll - entry[2]
    if roll <= 0 then return entry[1] end
  end
end

function request()
  sent = choose_kind()
  return kinds[sent]()
end

function response(status, headers, body)
  local label = (sent or "unknown") .. " " .. status
  statuses[label] = (statuses[label] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for label, count in pairs(thread:get("statuses")) do merged[label] = (merged[label] or 0) + count end
  end
  local parts = {}
  for label, count in pairs(merged) do table.insert(parts, string.format('"%s": %d', label, count)) end
  local errors = summary.errors
  io.write(string.format(
    'TEN-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "connect": %d, ' ..
      '"read": %d, "write": %d, "timeout": %d, "status": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.timeout, errors.status, table.concat(parts, ", ")))
end
