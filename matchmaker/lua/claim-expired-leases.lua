-- ARGV: prefix, now, limit. Each lapsed lease is taken by exactly one caller.
local lapsed = redis.call('ZRANGEBYSCORE', k('leases'), '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, member in ipairs(lapsed) do
  redis.call('ZREM', k('leases'), member)
  local cut = string.find(member, '|', 1, true)
  claimed[#claimed + 1] = { game = string.sub(member, 1, cut - 1), matchId = string.sub(member, cut + 1) }
end
return cjson.encode({ claimed = claimed })
