-- A: game, mode, limit. The best display ratings of the game and mode, with names and match counts.
-- A guest whose rating expired (with their token: no `gr` key left) leaves the board as it is read.
local key, counts = k('lb', A.game, A.mode), k('lbn', A.game, A.mode)
local out = {}
for _ = 1, 10 do
  local ids = redis.call('ZREVRANGE', key, #out, #out + A.limit - 1, 'WITHSCORES')
  local removed = 0
  for i = 1, #ids, 2 do
    local pid = ids[i]
    if string.sub(pid, 1, 2) == 'g_' and redis.call('EXISTS', k('gr', A.game, A.mode, pid)) == 0 then
      redis.call('ZREM', key, pid)
      redis.call('HDEL', counts, pid)
      redis.call('HDEL', k('lbname', A.game), pid)
      removed = removed + 1
    elseif #out < A.limit then
      out[#out + 1] = { rank = #out + 1, playerId = pid, name = redis.call('HGET', k('lbname', A.game), pid) or pid, rating = tonumber(ids[i + 1]),
        matches = tonumber(redis.call('HGET', counts, pid)) or 0 }
    end
  end
  if removed == 0 or #out >= A.limit or #ids < 2 * A.limit then break end
end
return cjson.encode({ entries = out })
