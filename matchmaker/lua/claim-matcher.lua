-- A: game, mode, node, ttl. The queue's matcher lease: taken when free or lapsed, renewed by its
-- holder; returns 1 when `node` holds it now.
local key = k('matcher', A.mode)
local holder = redis.call('GET', key)
if holder == false or holder == A.node then
  redis.call('SET', key, A.node, 'PX', A.ttl)
  return 1
end
return 0
