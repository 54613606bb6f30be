-- Shared prefix of the batch scripts (emit, claim, cancel, observe). One batch's keys share a
-- hash tag. KEYS[1] meta hash, KEYS[2] done bitmap, KEYS[3] stream; ARGV[1] pub/sub channel.
-- Stream entry ids are `0-<offset>`, so a history read seeks straight to an offset.
local meta, done_key, stream, ch = KEYS[1], KEYS[2], KEYS[3], ARGV[1]

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
local function append(payloads)
  if #payloads == 0 then return end
  local m = redis.call('HMGET', meta, 'epoch', 'offset')
  local epoch, offset = m[1], tonumber(m[2])
  local frame = {epoch, ':', offset + 1, ':', #payloads, ':'}
  for i = 1, #payloads do
    local p = payloads[i]
    redis.call('XADD', stream, '0-' .. (offset + i), 'd', p)
    frame[#frame + 1] = #p .. ':'
    frame[#frame + 1] = p
  end
  redis.call('HSET', meta, 'offset', offset + #payloads)
  redis.call('PUBLISH', ch, table.concat(frame))
end

-- Ends the batch: appends `payloads` then the terminal event, sets the status, and starts the
-- retention TTL on every key of the batch (keys expire whole; a live stream is never trimmed).
local function finish(status, kind, payloads)
  local total, done, failed = counts()
  payloads[#payloads + 1] = terminal_event(kind, status, total, done, failed)
  append(payloads)
  redis.call('HSET', meta, 'status', status)
  local ret = redis.call('HGET', meta, 'ret')
  redis.call('PEXPIRE', meta, ret)
  redis.call('PEXPIRE', done_key, ret)
  redis.call('PEXPIRE', stream, ret)
end

local function cancel_now()
  finish('cancelled', 'cancelled', {})
end
