-- POST 1000 fresh measures per request to wrk's path. Timestamps are unique
-- across runs (first script argument: the run number), threads and requests,
-- so every acknowledged point is a new point.
local next_thread = 0

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  run = tonumber(args[1] or "0")
  counter = 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local base = 1000000000 + run * 100000000 + thread_number * 10000000
    + counter * 1000
  local items = {}
  for i = 1, 1000 do
    items[i] = string.format('{"timestamp":%d,"value":%d.5}', base + i, i)
  end
  return wrk.format("POST", nil, nil, "[" .. table.concat(items, ",") .. "]")
end
