-- retire: KEYS[1] the worker's processing list, KEYS[2] pending list, KEYS[3] workers zset;
-- ARGV[1] worker id. A worker leaving on purpose (SIGTERM) hands back every chunk it still
-- holds, to the head of the queue in their order, and leaves the registry, in one step.
-- Returns the number of chunks handed back. Their next claim bumps the attempt, fencing any
-- late emit of the retiring worker.
local moved = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') do moved = moved + 1 end
redis.call('ZREM', KEYS[3], ARGV[1])
return moved
