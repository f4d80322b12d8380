-- bench/load.py's requests, for wrk: every path of the file given after `--` exactly once, split between wrk's threads
-- (thread i of n takes the paths i, i + n, ...). An answer counts when it is a 200 whose Content-Type is an image.
-- A thread that has had every answer writes "finished" and stops; wrk itself runs until its duration is over or it is
-- interrupted (load.py interrupts it once every thread has finished), so the run's time is measured here, from a
-- thread's first request to its last answer.

local ffi = require("ffi")
ffi.cdef [[
  struct timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clock, struct timespec *now);
]]
local now = ffi.new("struct timespec")

local function seconds()
  ffi.C.clock_gettime(1, now) -- CLOCK_MONOTONIC
  return tonumber(now.tv_sec) + tonumber(now.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

function init(args)
  paths, sent, answered, ok, ok_bytes, started, ended = {}, 0, 0, 0, 0, 0, 0
  local index, count = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if index % count == id - 1 then paths[#paths + 1] = line end
    index = index + 1
  end
end

function request()
  if sent == 0 then started = seconds() end
  sent = sent + 1
  -- Past the last path a connection repeats it (its answer is not counted) until the thread stops.
  return wrk.format("GET", paths[math.min(sent, #paths)])
end

function response(status, headers, body)
  answered = answered + 1
  if answered > #paths then return end
  local image = false
  for name, value in pairs(headers) do
    if name:lower() == "content-type" and value:sub(1, 6) == "image/" then image = true end
  end
  if status == 200 and image then
    ok, ok_bytes = ok + 1, ok_bytes + #body
  end
  if answered == #paths then
    ended = seconds()
    io.write("finished\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local ok_total, bytes_total, first, last = 0, 0, math.huge, 0
  for _, thread in ipairs(threads) do
    ok_total, bytes_total = ok_total + thread:get("ok"), bytes_total + thread:get("ok_bytes")
    first, last = math.min(first, thread:get("started")), math.max(last, thread:get("ended"))
  end
  io.write(string.format('{"ok": %d, "ok_bytes": %d, "seconds": %.6f, "p50_ms": %.3f, "p95_ms": %.3f}\n',
    ok_total, bytes_total, last - first, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
