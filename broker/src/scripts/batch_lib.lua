-- Shared prefix of the batch scripts (emit, claim, cancel, observe). One batch's keys share a
-- hash tag. KEYS[1] meta hash, KEYS[2] done bitmap, KEYS[3] stream, KEYS[4] items index;
-- ARGV[1] pub/sub channel.
-- A stream entry `0-<offset>` holds the publications from that offset on, one `d` field each.
-- The items index is a zset with one member per run of consecutive beams landed by one emit:
-- score = the run's first beam, member = `<offset of its first result>:<beams in the run>`.
local meta, done_key, stream, idx, ch = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1]

local function counts()
  local v = redis.call('HMGET', meta, 'total', 'done', 'failed')
  return tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
end

local function progress_event(total, done, failed)
  return '{"type":"progress","done":' .. done .. ',"failed":' .. failed
    .. ',"total":' .. total .. '}'
end

local function terminal_event(kind, status, total, done, failed)
  return '{"type":"' .. kind .. '","status":"' .. status .. '","total":' .. total
    .. ',"succeeded":' .. (done - failed) .. ',"failed":' .. failed .. '}'
end

-- Appends payloads at the next offsets and PUBLISHes them as one frame:
-- `<epoch>:<first offset>:<count>:` then `<len>:<bytes>` per payload.
-- Up to 1000 consecutive publications share one stream entry: id `0-<offset of the first>`, one
-- `d` field per publication, in order (one XADD per chunk instead of one per beam; history.lua
-- reads entries as offset ranges).
-- Indexes `runs` ({first beam, position of its first payload (1-based), beams}) of payloads
-- appended after `offset`; ZADD in groups that stay within Lua's unpack limit.
local function index_runs(runs, offset)
  for from = 1, #runs, 500 do
    local args = {idx}
    for r = from, math.min(from + 499, #runs) do
      local run = runs[r]
      args[#args + 1] = run[1]
      args[#args + 1] = (offset + run[2]) .. ':' .. run[3]
    end
    redis.call('ZADD', unpack(args))
  end
end

-- `runs` (optional) index the leading payloads as results of beams (see index_runs).
local function append(payloads, runs)
  local n = #payloads
  if n == 0 then return end
  local m = redis.call('HMGET', meta, 'epoch', 'offset')
  local epoch, offset = m[1], tonumber(m[2])
  if runs then index_runs(runs, offset) end
  local frame = {epoch, ':', offset + 1, ':', n, ':'}
  for from = 1, n, 1000 do
    local args = {stream, '0-' .. (offset + from)}
    for i = from, math.min(from + 999, n) do
      local p = payloads[i]
      args[#args + 1] = 'd'
      args[#args + 1] = p
      frame[#frame + 1] = #p .. ':'
      frame[#frame + 1] = p
    end
    redis.call('XADD', unpack(args))
  end
  redis.call('HSET', meta, 'offset', offset + n)
  redis.call('PUBLISH', ch, table.concat(frame))
end

-- Ends the batch: appends `payloads` then the terminal event, sets the status, and starts the
-- retention TTL on every key of the batch (keys expire whole; a live stream is never trimmed).
local function finish(status, kind, payloads, runs)
  local total, done, failed = counts()
  payloads[#payloads + 1] = terminal_event(kind, status, total, done, failed)
  append(payloads, runs)
  redis.call('HSET', meta, 'status', status)
  local ret = redis.call('HGET', meta, 'ret')
  redis.call('PEXPIRE', meta, ret)
  redis.call('PEXPIRE', done_key, ret)
  redis.call('PEXPIRE', stream, ret)
  redis.call('PEXPIRE', idx, ret)
end

local function cancel_now()
  finish('cancelled', 'cancelled', {})
end
