-- A: game, until, matchIds (of that game)
local renewed = 0
for _, mid in ipairs(A.matchIds) do
  local f = redis.call('HMGET', k('m', mid), 'game', 'state')
  if f[2] == 'playing' then
    redis.call('ZADD', k('leases'), A['until'], f[1] .. '|' .. mid)
    renewed = renewed + 1
  end
end
return renewed
