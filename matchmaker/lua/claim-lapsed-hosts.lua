-- A: game, now, limit. Takes up to `limit` running matches of hosts whose lease lapsed; each is
-- taken by exactly one caller (SPOP), and a host is forgotten once none of its matches is left.
local lapsed = redis.call('ZRANGEBYSCORE', k('hosts'), '-inf', A.now)
local claimed = {}
for _, node in ipairs(lapsed) do
  local budget = A.limit - #claimed
  if budget <= 0 then break end
  for _, mid in ipairs(redis.call('SPOP', k('hm', node), budget)) do
    claimed[#claimed + 1] = { game = A.game, matchId = mid, host = node }
  end
  if redis.call('EXISTS', k('hm', node)) == 0 then redis.call('ZREM', k('hosts'), node) end
end
return cjson.encode({ claimed = claimed })
