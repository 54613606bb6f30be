-- observe: a worker's heartbeat looks at a batch it holds; a pending cancel takes effect.
if redis.call('EXISTS', meta) == 0 then return 'gone' end
local status = redis.call('HGET', meta, 'status')
if status == 'cancelling' then
  cancel_now()
  return 'cancelled'
end
return status
