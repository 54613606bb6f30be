-- design_announce (+channel_lib): KEYS[1] the batch's dedupe key, KEYS[2] designs channel meta,
-- KEYS[3] its stream (all in {c:designs}). ARGV: [1] pub/sub channel, [2] announcement, [3] TTL
-- ms of the dedupe key (the batch's retention: no announcement can be attempted after the batch
-- is gone), [4] channel maxlen. Publishes once per batch: a repeat finds the key and does nothing.
-- Returns {1, epoch, offset} when published, {0} when already announced.
if not redis.call('SET', KEYS[1], 1, 'NX', 'PX', ARGV[3]) then return {0} end
local r = publish_one(KEYS[2], KEYS[3], ARGV[1], ARGV[2], tonumber(ARGV[4]), 0, true)
return {1, r[1], r[2]}
