-- A: game, mode, limit. The best display ratings of the game and mode, with names and match counts.
local ids = redis.call('ZREVRANGE', k('lb', A.game, A.mode), 0, A.limit - 1, 'WITHSCORES')
local out = {}
for i = 1, #ids, 2 do
  local pid = ids[i]
  out[#out + 1] = { rank = (i + 1) / 2, playerId = pid, name = redis.call('HGET', k('lbname', A.game), pid) or pid, rating = tonumber(ids[i + 1]),
    matches = tonumber(redis.call('HGET', k('lbn', A.game, A.mode), pid)) or 0 }
end
return cjson.encode({ entries = out })
