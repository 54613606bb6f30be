-- publish: KEYS[1] meta, KEYS[2] stream. ARGV: [1] pub/sub channel, [2] payload, [3] maxlen
-- (0: untrimmed), [4] TTL ms (0: none), [5] create (1/0; 0 for batch channels, whose meta is
-- the batch's). Returns {epoch, offset} or {'gone'}.
local r = publish_one(KEYS[1], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]),
  ARGV[5] == '1')
if not r then return {'gone'} end
return r
