-- claim: a worker took a chunk (BLMOVE). ARGV[2] chunk index, ARGV[3] max attempts,
-- ARGV[4] first beam, ARGV[5] beam count.
-- Increments the chunk's attempt (the fencing token). Past max attempts the chunk is poison:
-- its beams without a result count as failed (so the batch still ends) and the caller moves it
-- to the dead list. A cancelling batch becomes cancelled; a finished or missing one is dropped.
if redis.call('EXISTS', meta) == 0 then return {'gone'} end
local status = redis.call('HGET', meta, 'status')
if status == 'cancelling' then
  cancel_now()
  return {'drop'}
end
if status == 'cancelled' or status == 'completed' then return {'drop'} end

local attempt = redis.call('HINCRBY', meta, 'a:' .. ARGV[2], 1)
if attempt > tonumber(ARGV[3]) then
  local first, count = tonumber(ARGV[4]), tonumber(ARGV[5])
  local lost = 0
  for b = first, first + count - 1 do
    if redis.call('SETBIT', done_key, b, 1) == 0 then lost = lost + 1 end
  end
  if lost > 0 then
    local done = redis.call('HINCRBY', meta, 'done', lost)
    local failed = redis.call('HINCRBY', meta, 'failed', lost)
    local total = tonumber(redis.call('HGET', meta, 'total'))
    local payloads = {progress_event(total, done, failed)}
    if done >= total then finish('completed', 'complete', payloads) else append(payloads) end
  end
  return {'dead', attempt}
end
if status == 'queued' then redis.call('HSET', meta, 'status', 'running') end
return {'ok', attempt}
