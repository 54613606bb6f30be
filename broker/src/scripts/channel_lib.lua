-- Shared prefix of the channel scripts (publish, config_put).
-- Publishes one payload: offset = previous + 1, XADD `0-<offset>` (approximately trimmed to
-- maxlen when > 0), TTL when > 0, PUBLISH a one-publication frame. A missing meta hash means the
-- history was lost: a new epoch starts (when create is true) and any stale stream is dropped.
-- Returns {epoch, offset}, or nil when the meta is missing and create is false.
local function publish_one(meta, stream, ch, payload, new_epoch, maxlen, ttl, create)
  if redis.call('EXISTS', meta) == 0 then
    if not create then return nil end
    redis.call('DEL', stream)
    redis.call('HSET', meta, 'epoch', new_epoch, 'offset', 0)
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
