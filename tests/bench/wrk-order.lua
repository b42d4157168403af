-- tests/bench/wrk-order.lua -- wrk script of tests/bench/order.
--
-- tests/bench/order puts `skus`, `tokens`, `buyers` and `slug` in front of this file.
-- wrk runs with as many threads as connections, so every thread has one
-- connection and one buyer (tokens[thread id]): a buyer's requests never
-- overlap, which one cart per user needs. An order: 3-5 POST /api/v1/cart
-- (distinct random SKUs, qty 1-5), then POST /api/v1/orders with a fresh
-- Idempotency-Key. A refused submit (409: a low-limit company over its
-- credit) empties the cart again, one delete per line, so the next order
-- starts from an empty cart as every other does.
--
-- Latency is measured here, not by wrk (whose histogram would mix adds and
-- submits): CLOCK_MONOTONIC through LuaJIT's ffi, from request() building a
-- request to response() reading its answer (one connection per thread, so
-- the request is written right after it is built).

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } dh_timespec;
int clock_gettime(int clk, dh_timespec *ts);
]]
local ts = ffi.new("dh_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)	-- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
local n_threads = 0

function setup(thread)
  n_threads = n_threads + 1
  thread:set("tid", n_threads)
  threads[n_threads] = thread
end

-- per thread
orders, refused, other, adds, deletes = 0, 0, 0, 0, 0
slat, olat = {}, {}
bad = ""	-- the first refused add's answer, for the report
local token, plan, step, kind, t_req, t_order, seq, run
local incart = {}

local function new_plan()
  plan = {}
  local k, seen = math.random(3, 5), {}
  while #plan < k do
    local s = skus[math.random(#skus)]
    if not seen[s] then
      seen[s] = true
      plan[#plan + 1] = s
    end
  end
  step = 1
end

local mode, warm, nbuyer = "flow", false, 0

function init(args)
  math.randomseed(tid * 7919 + os.time())
  mode = args[1] or "flow"
  if string.sub(mode, 1, 5) == "warm-" then
    warm, mode = true, string.sub(mode, 6)
  end
  token = tokens[(tid - 1) % #tokens + 1]
  run = string.format("%x-%d", os.time(), tid)
  seq = 0
  new_plan()
end

local function post(path, body, extra)
  local h = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  if extra then
    for k, v in pairs(extra) do h[k] = v end
  end
  return wrk.format("POST", "/s/" .. slug .. "/api/v1" .. path, h, body)
end

-- Submit-only: the next pre-filled buyer of this thread's company (the
-- warm-up takes them from the top, the measured run from the bottom).
local function submit_only()
  nbuyer = nbuyer + 1
  local b = warm and buyers + 1 - nbuyer or nbuyer
  if b < 1 or b > buyers then b = buyers end	-- out of carts: cart_empty
  token = string.format("%032x%032x", tid, b)
  kind = "submit"
  t_order = t_req
  seq = seq + 1
  return post("/orders", "{}", { ["Idempotency-Key"] = "b-" .. run .. "-" .. seq })
end

function request()
  t_req = now_us()
  if mode == "submit" then return submit_only() end
  local pending = next(incart)
  if plan == nil and pending then	-- emptying the cart after a refusal
    kind = "delete"
    incart[pending] = nil
    return post("/cart/items/" .. pending .. "/delete", "{}")
  end
  if plan == nil then new_plan() end
  if step == 1 and kind ~= "add" then t_order = t_req end
  if step <= #plan then
    kind = "add"
    local s = plan[step]
    step = step + 1
    incart[s] = true
    -- A client that shows a badge, not the cart, after each add.
    return post("/cart", string.format('{"sku_id":%d,"qty":%d}', s,
        math.random(1, 5)), { ["Prefer"] = "return=minimal" })
  end
  kind = "submit"
  seq = seq + 1
  return post("/orders", "{}", { ["Idempotency-Key"] = "b-" .. run .. "-" .. seq })
end

function response(status, headers, body)
  local t = now_us()
  if kind == "add" then
    adds = adds + 1
    if status ~= 200 then
      other = other + 1
      if bad == "" then bad = status .. " " .. string.sub(body, 1, 160) end
    end
  elseif kind == "delete" then
    deletes = deletes + 1
  else
    slat[#slat + 1] = t - t_req
    if status == 201 then
      orders = orders + 1
      olat[#olat + 1] = t - t_order
      incart = {}
      new_plan()
      kind = "done"
    else
      if status == 409 then refused = refused + 1 else other = other + 1 end
      if mode == "flow" then plan = nil end	-- empty the cart, then a new order
      kind = "done"
    end
  end
end

local function pct(a, p)
  if #a == 0 then return 0 end
  table.sort(a)
  local i = math.ceil(#a * p / 100)
  if i < 1 then i = 1 end
  return a[i]
end

function done(summary, latency, requests)
  local o, r, x, a, d, s, l = 0, 0, 0, 0, 0, {}, {}
  for _, t in ipairs(threads) do
    o = o + t:get("orders"); r = r + t:get("refused")
    x = x + t:get("other"); a = a + t:get("adds"); d = d + t:get("deletes")
    if t:get("bad") ~= "" then io.write("BAD " .. t:get("bad") .. "\n") end
    for _, v in ipairs(t:get("slat")) do s[#s + 1] = v end
    for _, v in ipairs(t:get("olat")) do l[#l + 1] = v end
  end
  local e = summary.errors
  io.write(string.format(
    "ORDERRESULT orders=%d refused=%d other=%d adds=%d deletes=%d requests=%d duration_us=%d errors=%d status=%d submit_p50_us=%d submit_p99_us=%d order_p50_us=%d order_p99_us=%d\n",
    o, r, x, a, d, summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    pct(s, 50), pct(s, 99), pct(l, 50), pct(l, 99)))
end
