-- history: KEYS[1] meta, KEYS[2] stream. ARGV: [1] since epoch ('' = from the start), [2] since
-- offset, [3] limit, [4] epoch to start if history is lost, [5] create (1/0), [6] TTL ms.
-- Returns {epoch, offset, recovered, off1, payload1, ...} or {'gone'}. recovered is 0 when the
-- epoch differs, the offset is ahead of the channel, or entries after it were trimmed/expired.
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[5] ~= '1' then return {'gone'} end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[4], 'offset', 0)
  if tonumber(ARGV[6]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
end
local m = redis.call('HMGET', KEYS[1], 'epoch', 'offset')
local epoch, offset = m[1], tonumber(m[2])
local since = tonumber(ARGV[2])
local out = {epoch, offset, 0}
if ARGV[1] == '' then
  since = 0
elseif ARGV[1] ~= epoch then
  return out
end
if since > offset then return out end
if since == offset then
  out[3] = 1
  return out
end
local head = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #head == 0 then return out end
local first = tonumber(string.match(head[1][1], '^0%-(%d+)$'))
if first == nil or first > since + 1 then return out end
out[3] = 1
local limit = tonumber(ARGV[3])
if limit > 0 then
  local entries = redis.call('XRANGE', KEYS[2], '0-' .. (since + 1), '+', 'COUNT', limit)
  for _, e in ipairs(entries) do
    out[#out + 1] = tonumber(string.sub(e[1], 3))
    out[#out + 1] = e[2][2]
  end
end
return out
