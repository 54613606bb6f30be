-- history: KEYS[1] meta, KEYS[2] stream. ARGV: [1] since epoch ('' = from the start), [2] since
-- offset, [3] limit, [4] create (1/0), [5] TTL ms. (Prefixed by channel_lib.lua.)
-- Returns {epoch, offset, recovered, off1, payload1, ...} or {'gone'}. recovered is 0 when the
-- epoch differs, the offset is ahead of the channel, or entries after it were trimmed/expired.
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[4] ~= '1' then return {'gone'} end
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', fresh_epoch(), 'offset', 0)
  if tonumber(ARGV[5]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
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
-- An entry `0-<o>` with k fields holds offsets o .. o+k-1 (batch entries group up to 1000).
local head = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #head == 0 then return out end
local first = tonumber(string.match(head[1][1], '^0%-(%d+)$'))
if first == nil or first > since + 1 then return out end
out[3] = 1
local limit = tonumber(ARGV[3])
if limit <= 0 then return out end
-- Start at the entry holding since + 1: the last entry whose first offset is <= since + 1.
local start = redis.call('XREVRANGE', KEYS[2], '0-' .. (since + 1), '-', 'COUNT', 1)
local from = '0-' .. (since + 1)
-- Entries to fetch per XRANGE: enough for the page at the starting entry's size (a batch entry
-- holds a slice of results, a session entry one), so a page does not copy into Lua the
-- payloads of entries it will not return.
local per_entry = 1
if #start == 1 then
  from = start[1][1]
  per_entry = math.max(1, #start[1][2] / 2)
end
local count = math.min(16, math.floor(limit / per_entry) + 1)
local taken = 0
while taken < limit do
  local entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', count)
  if #entries == 0 then break end
  for _, e in ipairs(entries) do
    local base = tonumber(string.sub(e[1], 3))
    local fields = e[2]
    for k = 2, #fields, 2 do
      local off = base + k / 2 - 1
      if off > since and taken < limit then
        out[#out + 1] = off
        out[#out + 1] = fields[k]
        taken = taken + 1
      end
    end
    from = '(' .. e[1]
  end
end
return out
