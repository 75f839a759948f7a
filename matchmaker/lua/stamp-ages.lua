-- A: game, playerId, after, before. How long ago (ms, by the store's clock) each of the player's
-- numbers strictly between `after` and `before` that the store still keeps was stamped (prelude's
-- `stamp`; it keeps the last 16, in a ring of fields): what the player's node asks when numbers are missing from the
-- events it got. A number not kept is older than those.
local now = clock_ms()
local ages = {}
local f = redis.call('HGETALL', pkey(A.game, A.playerId))
for i = 1, #f, 2 do
  if string.match(f[i], '^s%d+$') then
    local seq, at = string.match(f[i + 1], '^(%d+) (%d+)$')
    seq = tonumber(seq)
    if seq and seq > A.after and seq < A.before then ages[#ages + 1] = now - tonumber(at) end
  end
end
return cjson.encode({ ages = ages })
