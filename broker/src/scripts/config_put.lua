-- config_put: KEYS[1] config document hash, KEYS[2] config channel meta, KEYS[3] its stream.
-- ARGV: [1] pub/sub channel, [2] expected version, [3] document, [4] publication, [5] maxlen. Compare-and-set: a stale expected version changes
-- nothing and returns {'conflict', current}; else stores version+1 and publishes, atomically.
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[2]) then return {'conflict', current} end
local version = current + 1
redis.call('HSET', KEYS[1], 'version', version, 'data', ARGV[3])
local r = publish_one(KEYS[2], KEYS[3], ARGV[1], ARGV[4], tonumber(ARGV[5]), 0, true)
return {'ok', version, r[1], r[2]}
