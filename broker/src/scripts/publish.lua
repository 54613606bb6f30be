-- publish: KEYS[1] meta, KEYS[2] stream. ARGV: [1] pub/sub channel, [2] payload, [3] epoch to
-- start if history is lost, [4] maxlen (0: untrimmed), [5] TTL ms (0: none), [6] create (1/0;
-- 0 for batch channels, whose meta is the batch's). Returns {epoch, offset} or {'gone'}.
local r = publish_one(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]),
  tonumber(ARGV[5]), ARGV[6] == '1')
if not r then return {'gone'} end
return r
