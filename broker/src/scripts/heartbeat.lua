-- heartbeat: KEYS[1] workers zset; ARGV[1] worker id. Scores with the SERVER's clock (ms), so
-- workers' clocks never matter. Returns the score.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
