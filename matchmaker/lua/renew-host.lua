-- A: game, node, until, matchIds (of that game, put back in the node's set: a claim taken by
-- mistake; only while it names the node as its host), delivered (ended matches whose end the node has told its players: out of its set).
-- A host's lease covers all its matches: one entry per node, renewed in O(1), never per match.
redis.call('ZADD', k('hosts'), A['until'], A.node)
for _, mid in ipairs(A.matchIds) do
  local f = redis.call('HMGET', k('m', mid), 'state', 'host')
  if f[1] == 'playing' and f[2] == A.node then
    redis.call('SADD', k('hm', A.node), mid)
    redis.call('ZREM', k('reaping'), mid)
  end
end
for _, mid in ipairs(A.delivered) do
  if redis.call('EXISTS', k('m', mid)) == 0 then redis.call('SREM', k('hm', A.node), mid) end
end
return 0
