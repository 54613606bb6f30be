-- design_list: KEYS[1] recent zset (id -> seq). ARGV: [1] before seq ('' = from the newest),
-- [2] limit, [3] prefix of design hashes. Newest first. Returns {next seq or '', then per design
-- id, seq, created ms, owner, record}. One script so a page is one consistent snapshot.
local max = '+inf'
if ARGV[1] ~= '' then max = '(' .. ARGV[1] end
local limit = tonumber(ARGV[2])
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local out = {''}
local n = math.min(#ids / 2, limit)
for i = 1, n do
  local id, seq = ids[2 * i - 1], ids[2 * i]
  local d = redis.call('HMGET', ARGV[3] .. id, 't', 'o', 'r')
  if d[1] then
    out[#out + 1] = id
    out[#out + 1] = seq
    out[#out + 1] = d[1]
    out[#out + 1] = d[2]
    out[#out + 1] = d[3]
  end
  if i == n and #ids / 2 > limit then out[1] = seq end
end
return out
