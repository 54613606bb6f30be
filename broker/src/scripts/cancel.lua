-- cancel: queued -> cancelled at once (with its `cancelled` event and retention TTL);
-- running -> cancelling (a worker finishes it on its next emit, claim or heartbeat);
-- otherwise the status is returned unchanged.
if redis.call('EXISTS', meta) == 0 then return 'gone' end
local status = redis.call('HGET', meta, 'status')
if status == 'queued' then
  cancel_now()
  return 'cancelled'
end
if status == 'running' then
  redis.call('HSET', meta, 'status', 'cancelling')
  return 'cancelling'
end
return status
