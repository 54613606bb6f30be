-- reap: KEYS[1] workers zset, KEYS[2] pending list, KEYS[3] reaper lock.
-- ARGV: [1] processing-list key prefix, [2] dead-after ms, [3] lock ms (the reap interval).
-- One pass per interval cluster-wide (SET NX PX). Workers silent for longer than dead-after
-- (server clock) have their processing lists moved to the head of the queue, then leave the
-- registry. The zset names them: no SCAN, no KEYS. Processing lists share the queue's hash tag.
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[3]) then return {-1, 0} end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]),
  'LIMIT', 0, 100)
local moved = 0
for _, worker in ipairs(dead) do
  local proc = ARGV[1] .. worker
  while redis.call('LMOVE', proc, KEYS[2], 'RIGHT', 'LEFT') do moved = moved + 1 end
  redis.call('ZREM', KEYS[1], worker)
end
return {#dead, moved}
