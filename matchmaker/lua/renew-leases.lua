-- ARGV: prefix, until, matchIds...
local renewed = 0
for i = 3, #ARGV do
  local f = redis.call('HMGET', k('m', ARGV[i]), 'game', 'state')
  if f[2] == 'playing' then
    redis.call('ZADD', k('leases'), ARGV[2], f[1] .. '|' .. ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
