-- The mixed load of loadtest/scenarios/ten_instances.py: one wrk process per instance, as one signed-in user.
--
-- wrk gives each thread its own Lua state. ten_instances.py runs one connection per thread, so on
-- a thread request() and response() strictly alternate: `sent` is always the kind of the request
-- that the next response answers. Every request reads or writes the database: product searches
-- with a fresh term each time (cache misses), factory and account lists, product details, and
-- post and message creates.
--
-- wrk ... -s loadtest/scenarios/ten_instances.lua URL -- ACCESS_TOKEN ACCOUNT_ID PRODUCT_IDS INSTANCE
-- PRODUCT_IDS is comma-separated; INSTANCE (1..10) only tells the writes of one instance apart.

local common = require("wrk_common")
setup, done = common.setup, common.done

local token, account, products, instance
local serial = 0
local sent = nil
local choose_kind

local function get(path)
  return common.json_request("GET", path, token)
end

local function post(path, body)
  return common.json_request("POST", path, token, body)
end

local function next_serial()
  serial = serial + 1
  return instance .. "-" .. thread_number .. "-" .. serial
end

local kinds = {}

function kinds.product_search()
  -- A term no earlier request used (almost surely): the cache misses and the query runs.
  return get("/api/v1/products/?page_size=10&search=product+" .. math.random(1, 1000000))
end

function kinds.product_detail()
  return get("/api/v1/products/" .. common.pick(products) .. "/")
end

function kinds.factory_list()
  return get("/api/v1/factories/")
end

function kinds.account_list()
  return get("/api/v1/accounts/")
end

function kinds.post_create()
  return post("/api/v1/posts/", string.format('{"text": "ten instances %s"}', next_serial()))
end

function kinds.message_create()
  return post("/api/v1/messages/", string.format(
    '{"account": "%s", "sender_number": "+14155550123", "receiver_number": "+14155550188", "body": "ten %s"}',
    account, next_serial()))
end

local mix = {
  {"product_search", 4}, {"product_detail", 2}, {"factory_list", 2}, {"account_list", 2},
  {"post_create", 2}, {"message_create", 2},
}

function init(args)
  token, account, instance = args[1], args[2], args[4]
  products = {}
  for id in string.gmatch(args[3], "[^,]+") do table.insert(products, id) end
  math.randomseed(os.time() + thread_number * 7919 + tonumber(instance) * 104729)
  choose_kind = common.weighted(mix)
end

function request()
  sent = choose_kind()
  return kinds[sent]()
end

function response(status, headers, body)
  common.count((sent or "unknown") .. " " .. status)
end
