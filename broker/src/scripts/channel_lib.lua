-- Shared prefix of the channel scripts (publish, history, config_put).
-- Publishes one payload: offset = previous + 1, XADD `0-<offset>` (approximately trimmed to
-- maxlen when > 0), TTL when > 0, PUBLISH a one-publication frame. A missing meta hash means the
-- history was lost: a new epoch starts (when create is true) and any stale stream is dropped.
-- Returns {epoch, offset}, or nil when the meta is missing and create is false.

-- A new epoch from the server clock: hex seconds then 5 hex digits of microseconds (13 of
-- [0-9a-f]). Epochs only need to differ from the channel's earlier ones, and a channel cannot
-- lose its history twice in one microsecond.
local function fresh_epoch()
  local t = redis.call('TIME')
  return string.format('%x%05x', tonumber(t[1]), tonumber(t[2]))
end

local function publish_one(meta, stream, ch, payload, maxlen, ttl, create)
  if redis.call('EXISTS', meta) == 0 then
    if not create then return nil end
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', fresh_epoch(), 'offset', 0)
  end
  local epoch = redis.call('HGET', meta, 'epoch')
  local offset = redis.call('HINCRBY', meta, 'offset', 1)
  if maxlen > 0 then
    redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '0-' .. offset, 'd', payload)
  else
    redis.call('XADD', stream, '0-' .. offset, 'd', payload)
  end
  if ttl > 0 then
    redis.call('PEXPIRE', meta, ttl)
    redis.call('PEXPIRE', stream, ttl)
  end
  redis.call('PUBLISH', ch, epoch .. ':' .. offset .. ':1:' .. #payload .. ':' .. payload)
  return {epoch, offset}
end
