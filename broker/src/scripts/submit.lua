-- submit: KEYS[1] batch meta, KEYS[2] pending list, KEYS[3] idempotency key.
-- ARGV: [1] id, [2] owner, [3] total, [4] retention ms, [5] epoch, [6] use idempotency (1/0),
-- [7] idempotency TTL ms, [8..] queue elements. Metadata and chunks are written atomically;
-- a known idempotency key (or an id already stored) returns the existing id and writes nothing.
if ARGV[6] == '1' then
  local existing = redis.call('GET', KEYS[3])
  if existing then return {existing, 0} end
  redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[7])
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {ARGV[1], 0} end
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'total', ARGV[3], 'done', 0, 'failed', 0,
  'status', 'queued', 'epoch', ARGV[5], 'offset', 0, 'ret', ARGV[4],
  'created', t[1] * 1000 + math.floor(t[2] / 1000))
for i = 8, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return {ARGV[1], 1}
