-- A: game, now, limit, retryMs. Takes up to `limit` running matches of hosts whose lease lapsed,
-- each for one caller at a time: a taken match waits in `reaping` until it is ended (drop_match
-- removes it), and is handed out again after `retryMs` if its taker never ended it (it died, or
-- never heard this answer). A host is forgotten once none of its matches is left.
local claimed = {}
for _, mid in ipairs(redis.call('ZRANGEBYSCORE', k('reaping'), '-inf', A.now, 'LIMIT', 0, A.limit)) do
  local host = redis.call('HGET', k('m', mid), 'host')
  if host then
    redis.call('ZADD', k('reaping'), A.now + A.retryMs, mid)
    claimed[#claimed + 1] = { game = A.game, matchId = mid, host = host }
  else
    redis.call('ZREM', k('reaping'), mid)
  end
end
local lapsed = redis.call('ZRANGEBYSCORE', k('hosts'), '-inf', A.now)
for _, node in ipairs(lapsed) do
  local budget = A.limit - #claimed
  if budget <= 0 then break end
  for _, mid in ipairs(redis.call('SPOP', k('hm', node), budget)) do
    redis.call('ZADD', k('reaping'), A.now + A.retryMs, mid)
    claimed[#claimed + 1] = { game = A.game, matchId = mid, host = node }
  end
  if redis.call('EXISTS', k('hm', node)) == 0 then redis.call('ZREM', k('hosts'), node) end
end
return cjson.encode({ claimed = claimed })
