-- A: game, playerId, after, before. How long ago (ms, by the store's clock) each of the player's
-- numbers strictly between `after` and `before` that the store still keeps was stamped (prelude's
-- `stamp`; it keeps the last 16): what the player's node asks when numbers are missing from the
-- events it got. A number not kept is older than those.
local now = clock_ms()
local ages = {}
local f = redis.call('HGETALL', k('sq', A.game, A.playerId))
for i = 1, #f, 2 do
  local seq = tonumber(f[i])
  if f[i] ~= 'n' and seq > A.after and seq < A.before then ages[#ages + 1] = now - tonumber(f[i + 1]) end
end
return cjson.encode({ ages = ages })
