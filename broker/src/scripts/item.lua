-- item: the stored result of beam ARGV[1] of a batch, found through the items index instead of
-- a scan of the stream. KEYS[1] meta, KEYS[2] stream, KEYS[3] items index (see batch_lib).
-- Returns {'gone'} (no batch), {'range', total}, {'missing', status} (not landed: not yet, or
-- the batch ended without it), or {'ok', offset, payload}.
local meta, stream, idx = KEYS[1], KEYS[2], KEYS[3]
local beam = tonumber(ARGV[1])
local m = redis.call('HMGET', meta, 'total', 'status')
if not m[1] then return {'gone'} end
if beam >= tonumber(m[1]) then return {'range', m[1]} end
local missing = {'missing', m[2]}

-- The run with the greatest first beam <= beam; runs never overlap, so only it can hold beam.
local hit = redis.call('ZREVRANGEBYSCORE', idx, beam, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
if #hit == 0 then return missing end
local first_offset, count = string.match(hit[1], '^(%d+):(%d+)$')
local distance = beam - tonumber(hit[2])
if distance >= tonumber(count) then return missing end
local offset = tonumber(first_offset) + distance

-- The stream entry holding that offset: its id is the offset of its first publication.
local entry = redis.call('XREVRANGE', stream, '0-' .. offset, '-', 'COUNT', 1)[1]
if not entry then return missing end
local entry_first = tonumber(string.match(entry[1], '^0%-(%d+)$'))
local payload = entry[2][2 * (offset - entry_first) + 2]
if not payload then return missing end
return {'ok', offset, payload}
