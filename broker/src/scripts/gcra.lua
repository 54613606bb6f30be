-- gcra: KEYS[1] the limited key (stores the theoretical arrival time, microseconds).
-- ARGV: [1] limit per period (= burst), [2] period in microseconds, [3] cost.
-- Server clock. Returns {allowed 1/0, remaining, reset_after_us, retry_after_us (-1 if allowed)}.
local limit, period, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local emission = period / limit
local burst_offset = emission * limit
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + emission * cost
local diff = now - (new_tat - burst_offset)
if diff < 0 then
  local remaining = math.floor((now - (tat - burst_offset)) / emission)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, math.ceil(tat - now), math.ceil(-diff)}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
  math.ceil((new_tat - now) / 1000) + 1)
return {1, math.floor(diff / emission), math.ceil(new_tat - now), -1}
