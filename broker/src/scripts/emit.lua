-- emit: lands a chunk's results. ARGV[2] chunk index, ARGV[3] attempt (fencing token), then
-- triples from ARGV[4]: beam index, ok (1/0), payload.
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
local n = (#ARGV - 3) / 3
local payloads, landed, failed_now = {}, 0, 0
-- Runs for the items index: consecutive beams that land next to each other in this emit. Their
-- results get consecutive offsets, so a beam's offset is its run's plus its distance from the
-- run's first beam; each beam lands once, so no two runs hold the same beam.
local runs, run, prev = {}, nil, -2
for from = 0, n - 1, 1000 do
  local to = math.min(from + 999, n - 1)
  local ops = {}
  for j = from, to do
    ops[#ops + 1] = 'SET'
    ops[#ops + 1] = 'u1'
    ops[#ops + 1] = ARGV[4 + 3 * j]
    ops[#ops + 1] = 1
  end
  local was = redis.call('BITFIELD', done_key, unpack(ops))
  for j = from, to do
    if was[j - from + 1] == 0 then
      landed = landed + 1
      payloads[landed] = ARGV[6 + 3 * j]
      local beam = tonumber(ARGV[4 + 3 * j])
      if beam == prev + 1 then
        run[3] = run[3] + 1
      else
        run = {beam, landed, 1}
        runs[#runs + 1] = run
      end
      prev = beam
      if ARGV[5 + 3 * j] == '0' then failed_now = failed_now + 1 end
    end
  end
end
local skipped = n - landed
if landed == 0 then return {'ok', 0, skipped, status} end

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
