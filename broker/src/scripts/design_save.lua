-- design_save (+channel_lib): KEYS[1] recent zset (id -> seq), KEYS[2] sequence counter,
-- KEYS[3] the design's hash, KEYS[4] designs channel meta, KEYS[5] its stream. ARGV: [1] pub/sub
-- channel, [2] id, [3] owner, [4] record, [5] announcement, [6] designs kept, [7] channel maxlen,
-- [8] prefix of design hashes (prefix .. id). Every key shares the {c:designs} hash tag.
-- Stores the design {o owner, t created ms, s seq, r record}, indexes it, deletes the oldest
-- beyond the bound (index and hash together) and publishes the announcement, atomically.
-- An id already stored changes nothing. Returns {created, seq, t, owner, record, epoch?, offset?}.
local d = redis.call('HMGET', KEYS[3], 's', 't', 'o', 'r')
if d[1] then return {0, d[1], d[2], d[3], d[4]} end
local seq = redis.call('INCR', KEYS[2])
local now = redis.call('TIME')
local created = now[1] * 1000 + math.floor(now[2] / 1000)
redis.call('HSET', KEYS[3], 'o', ARGV[3], 't', created, 's', seq, 'r', ARGV[4])
redis.call('ZADD', KEYS[1], seq, ARGV[2])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[6])
if excess > 0 then
  local old = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
  for _, id in ipairs(old) do redis.call('DEL', ARGV[8] .. id) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
end
local r = publish_one(KEYS[4], KEYS[5], ARGV[1], ARGV[5], tonumber(ARGV[7]), 0, true)
return {1, seq, created, ARGV[3], ARGV[4], r[1], r[2]}
