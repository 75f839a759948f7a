-- A: game, now, limit. Each lapsed lease is taken by exactly one caller.
local lapsed = redis.call('ZRANGEBYSCORE', k('leases'), '-inf', A.now, 'LIMIT', 0, A.limit)
local claimed = {}
for _, member in ipairs(lapsed) do
  redis.call('ZREM', k('leases'), member)
  local cut = string.find(member, '|', 1, true)
  claimed[#claimed + 1] = { game = string.sub(member, 1, cut - 1), matchId = string.sub(member, cut + 1) }
end
return cjson.encode({ claimed = claimed })
