-- emit: lands a chunk's results. ARGV[2] chunk index, ARGV[3] attempt (fencing token), ARGV[4]
-- the results' runs of consecutive beams (`<first beam>:<count>` each, space-separated, in
-- order), then triples from ARGV[5]: beam index, ok (1/0), payload.
-- Rejects a missing batch, a cancelled one (finishing a pending cancel), and a stale attempt;
-- skips beams whose bit is already set; appends new results + one progress event (+ complete),
-- indexes the new results by beam (one zset member per run), bumps done/failed, publishes one
-- frame.
if redis.call('EXISTS', meta) == 0 then return {'gone'} end
local status = redis.call('HGET', meta, 'status')
if status == 'cancelled' then return {'cancelled'} end
if status == 'cancelling' then
  cancel_now()
  return {'cancelled'}
end
local current = tonumber(redis.call('HGET', meta, 'a:' .. ARGV[2]) or '0')
if current ~= tonumber(ARGV[3]) then return {'fenced'} end

-- One BITFIELD per 1000 beams (not one SETBIT each): it returns every bit's old value, in order,
-- so a beam repeated within this emit is skipped too.
local n = (#ARGV - 4) / 3
local payloads, landed, failed_now, olds = {}, 0, 0, {}
for from = 0, n - 1, 1000 do
  local to = math.min(from + 999, n - 1)
  local ops = {}
  for j = from, to do
    ops[#ops + 1] = 'SET'
    ops[#ops + 1] = 'u1'
    ops[#ops + 1] = ARGV[5 + 3 * j]
    ops[#ops + 1] = 1
  end
  local was = redis.call('BITFIELD', done_key, unpack(ops))
  olds[#olds + 1] = was
  for j = from, to do
    if was[j - from + 1] == 0 then
      landed = landed + 1
      payloads[landed] = ARGV[7 + 3 * j]
      if ARGV[6 + 3 * j] == '0' then failed_now = failed_now + 1 end
    end
  end
end
local skipped = n - landed
if landed == 0 then return {'ok', 0, skipped, status} end

-- Runs for the items index: {first beam, position of its first payload, beams}. Results of
-- consecutive beams landed next to each other get consecutive offsets.
local runs = {}
if skipped == 0 then
  -- Everything landed (the usual case): the caller's runs are the index's runs, no per-beam work.
  local at = 1
  for first, count in string.gmatch(ARGV[4], '(%d+):(%d+)') do
    runs[#runs + 1] = {first, at, count}
    at = at + tonumber(count)
  end
else
  -- A retry: walk the landed beams and cut a run wherever the next landed beam is not the next.
  local run, prev, at = nil, -2, 0
  for j = 0, n - 1 do
    if olds[math.floor(j / 1000) + 1][j % 1000 + 1] == 0 then
      local beam = tonumber(ARGV[5 + 3 * j])
      at = at + 1
      if beam == prev + 1 then
        run[3] = run[3] + 1
      else
        run = {beam, at, 1}
        runs[#runs + 1] = run
      end
      prev = beam
    end
  end
end

local done = redis.call('HINCRBY', meta, 'done', landed)
local failed = redis.call('HINCRBY', meta, 'failed', failed_now)
local total = tonumber(redis.call('HGET', meta, 'total'))
payloads[#payloads + 1] = progress_event(total, done, failed)
if done >= total then
  finish('completed', 'complete', payloads, runs)
  return {'ok', landed, skipped, 'completed'}
end
append(payloads, runs)
return {'ok', landed, skipped, status}
