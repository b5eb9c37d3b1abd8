-- The soak's mixed workload for wrk (see loadtest/scenarios/soak.py, which writes the data file and runs it).
--
-- wrk gives each thread its own Lua state. soak.py runs one connection per thread, so on a
-- thread request() and response() strictly alternate: `sent` is always the request that the
-- next response answers. Each thread acts as one soak user; the admin's token deletes sprockets
-- and edits products. Every accepted write is logged (one file per thread) for the data check.
--
-- wrk ... -s loadtest/scenarios/mix.lua URL -- DATA_FILE LOG_DIR RUN_TAG [ONLY_KINDS] [PACE_MS]
-- ONLY_KINDS (comma-separated) narrows the mix to those kinds, to find which one misbehaves.
-- PACE_MS: each client waits that long before each request (0: as fast as the server answers).

local common = require("wrk_common")
local pick, json_request = common.pick, common.json_request
setup, done = common.setup, common.done

local data, me, log, tag
local serial = 0
local sent = nil           -- {kind=..., ...} of the request in flight
local follow_ups = {}      -- requests that depend on an earlier answer (patch the post we made)
local my_sprockets = {}    -- ids this thread created and may delete
local sprocket_keys = {}   -- {key=, body=} sent with an Idempotency-Key, to replay
local message_keys = {}
local refresh_token = nil
local pace_ms = 0
local choose_kind

local function next_serial()
  serial = serial + 1
  return tag .. "-" .. serial
end

-- Each kind returns (request, sent-record). Weights are in `mix` below.
local kinds = {}

function kinds.product_list()
  return json_request("GET", "/api/v1/products/?page_size=20", nil), {}
end

function kinds.product_search()
  -- A handful of words: early searches miss the cache, later ones mostly hit.
  local path = "/api/v1/products/?page_size=10&search=" .. pick(data.search_words)
  return json_request("GET", path, me.access), {}
end

function kinds.product_detail()
  return json_request("GET", "/api/v1/products/" .. pick(data.products) .. "/", nil), {}
end

function kinds.product_patch()
  -- An admin write invalidates the catalog cache: the next reads are misses.
  local body = string.format('{"stock": %d}', math.random(0, 500))
  return json_request("PATCH", "/api/v1/products/" .. pick(data.products) .. "/", data.admin.access, body), {}
end

function kinds.factory_list()
  return json_request("GET", "/api/v1/factories/?with_chart_data=true", me.access), {}
end

function kinds.factory_chart()
  local path = "/api/v1/factories/" .. pick(data.factories) .. "/chart/?bucket=hour"
  return json_request("GET", path, me.access), {}
end

function kinds.sprocket_type_list()
  return json_request("GET", "/api/v1/sprocket-types/", me.access), {}
end

local function idempotent_create(path, keys, make_body)
  -- A third carry a fresh Idempotency-Key, a sixth replay an earlier key with its body.
  local roll = math.random(6)
  if roll == 1 and #keys > 0 then
    local earlier = pick(keys)
    return json_request("POST", path, me.access, earlier.body, {["Idempotency-Key"] = earlier.key}),
      {key = earlier.key, replay = true}
  end
  local key = nil
  if roll <= 3 then key = "soak-" .. next_serial() end
  local body = make_body(key or ("plain-" .. next_serial()))
  if key then
    table.insert(keys, {key = key, body = body})
    if #keys > 50 then table.remove(keys, 1) end
    return json_request("POST", path, me.access, body, {["Idempotency-Key"] = key}), {key = key}
  end
  return json_request("POST", path, me.access, body), {}
end

function kinds.sprocket_create()
  local factory = pick(data.factories)
  local request, record = idempotent_create("/api/v1/sprockets/", sprocket_keys, function(name)
    return string.format('{"name": "%s", "factory": %d, "sprocket_type": %d}', name, factory, pick(data.sprocket_types))
  end)
  return request, record
end

function kinds.sprocket_delete()
  if #my_sprockets == 0 then return kinds.sprocket_create() end
  local id = table.remove(my_sprockets, 1)
  return json_request("DELETE", "/api/v1/sprockets/" .. id .. "/", data.admin.access), {id = id}
end

function kinds.message_create()
  local account = pick(me.accounts)
  return idempotent_create("/api/v1/messages/", message_keys, function(text)
    return string.format(
      '{"account": "%s", "sender_number": "+14155550123", "receiver_number": "(415) 555-0188", "body": "soak %s"}',
      account, text)
  end)
end

function kinds.message_list()
  return json_request("GET", "/api/v1/messages/?account=" .. pick(me.accounts), me.access), {}
end

function kinds.post_create()
  local body = string.format('{"text": "soak post %s"}', next_serial())
  return json_request("POST", "/api/v1/posts/", me.access, body), {}
end

function kinds.post_list()
  return json_request("GET", "/api/v1/posts/", me.access), {}
end

function kinds.account_create()
  local body = string.format('{"name": "soak %s", "currency": "eur"}', next_serial())
  return json_request("POST", "/api/v1/accounts/", me.access, body), {}
end

function kinds.login()
  local body = string.format('{"username": "%s", "password": "%s"}', me.username, me.password)
  return json_request("POST", "/api/v1/auth/login/", nil, body), {}
end

function kinds.refresh()
  if not refresh_token then return kinds.login() end
  local body = string.format('{"refresh": "%s"}', refresh_token)
  refresh_token = nil -- rotated: the answer carries the next one
  return json_request("POST", "/api/v1/auth/refresh/", nil, body), {}
end

-- Follow-ups: {kind=, method=, path=, body=, token=}
local function queue(kind, method, path, body, extra)
  local record = extra or {}
  record.kind, record.method, record.path, record.body = kind, method, path, body
  table.insert(follow_ups, record)
end

local mix = {
  {"product_list", 14}, {"product_search", 5}, {"product_detail", 8}, {"product_patch", 1},
  {"factory_list", 3}, {"factory_chart", 3}, {"sprocket_type_list", 4},
  {"sprocket_create", 6}, {"sprocket_delete", 1},
  {"message_create", 6}, {"message_list", 3},
  {"post_create", 4}, {"post_list", 3},
  {"account_create", 2},
  {"login", 1}, {"refresh", 1},
}

local function narrow_mix(only)
  local kept = {}
  for _, entry in ipairs(mix) do
    if ("," .. only .. ","):find("," .. entry[1] .. ",", 1, true) then table.insert(kept, entry) end
  end
  mix = kept
end

function init(args)
  data = dofile(args[1])
  me = data.users[(thread_number - 1) % #data.users + 1]
  tag = args[3] .. "-" .. thread_number
  log = io.open(args[2] .. "/writes-" .. tag .. ".log", "a")
  log:setvbuf("line")
  math.randomseed(os.time() + thread_number * 7919)
  if args[4] and args[4] ~= "" then narrow_mix(args[4]) end
  pace_ms = tonumber(args[5] or "0") or 0
  choose_kind = common.weighted(mix)
end

local function write(...)
  log:write(table.concat({...}, " "), "\n")
end

-- A delete whose answer never comes (wrk stops mid-request at the end of an interval) may
-- still have happened: the data check must know it was asked for.
local function note_delete_sent()
  if sent.kind:find("_delete$") then write(sent.kind .. "_sent", sent.id) end
end

function delay()
  return pace_ms
end

function request()
  if #follow_ups > 0 then
    sent = table.remove(follow_ups, 1)
    note_delete_sent()
    return json_request(sent.method, sent.path, me.access, sent.body)
  end
  local kind = choose_kind()
  local built, record = kinds[kind]()
  -- A kind may fall back to another (delete with nothing to delete creates); the log says which.
  record.kind = record.kind or kind
  if kind == "sprocket_delete" and record.id == nil then record.kind = "sprocket_create" end
  if kind == "refresh" and built:find("/auth/login/", 1, true) then record.kind = "login" end
  sent = record
  note_delete_sent()
  return built
end

local function id_in(body)
  return body:match('"id"%s*:%s*"([%w%-]+)"') or body:match('"id"%s*:%s*(%d+)')
end

function response(status, headers, body)
  local kind = sent and sent.kind or "unknown"
  common.count(kind .. " " .. status)
  if status >= 300 or not sent then return end

  if kind == "sprocket_create" or kind == "message_create" then
    local id = id_in(body)
    write(kind, id, sent.key or "-", headers["Idempotent-Replayed"] or "false")
    if kind == "sprocket_create" and not sent.replay and headers["Idempotent-Replayed"] == nil then
      table.insert(my_sprockets, id)
      if #my_sprockets > 200 then table.remove(my_sprockets, 1) end
    end
  elseif kind == "sprocket_delete" then
    write("sprocket_delete", sent.id)
  elseif kind == "post_create" then
    local id = id_in(body)
    write("post_create", id)
    local text = "soak edit " .. next_serial()
    queue("post_patch", "PATCH", "/api/v1/posts/" .. id .. "/", string.format('{"text": "%s"}', text), {id = id, text = text})
  elseif kind == "post_patch" then
    write("post_patch", sent.id, sent.text)
    if math.random(2) == 1 then queue("post_delete", "DELETE", "/api/v1/posts/" .. sent.id .. "/", nil, {id = sent.id}) end
  elseif kind == "post_delete" then
    write("post_delete", sent.id)
  elseif kind == "account_create" then
    local id = id_in(body)
    write("account_create", id)
    queue("account_get", "GET", "/api/v1/accounts/" .. id .. "/", nil, {id = id})
  elseif kind == "account_get" then
    queue("account_patch", "PATCH", "/api/v1/accounts/" .. sent.id .. "/", '{"description": "patched", "balance": "12.50"}', {id = sent.id})
  elseif kind == "account_patch" then
    write("account_patch", sent.id)
    if math.random(2) == 1 then queue("account_delete", "DELETE", "/api/v1/accounts/" .. sent.id .. "/", nil, {id = sent.id}) end
  elseif kind == "account_delete" then
    write("account_delete", sent.id)
  elseif kind == "login" or kind == "refresh" then
    refresh_token = body:match('"refresh"%s*:%s*"([^"]+)"')
  end
end
