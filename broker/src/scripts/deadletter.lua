-- deadletter: KEYS[1] the worker's processing list, KEYS[2] the dead list; ARGV[1] the element.
-- Moves one poison chunk from the worker's list to the dead list, atomically.
redis.call('LREM', KEYS[1], 1, ARGV[1])
return redis.call('RPUSH', KEYS[2], ARGV[1])
