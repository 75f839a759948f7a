-- A: game, limit. Running matches of the game, newest first, with players, mode, start and spectators.
local out = {}
local ids = redis.call('ZREVRANGE', k('live', A.game), 0, A.limit - 1)
for _, mid in ipairs(ids) do
  local f = redis.call('HMGET', k('m', mid), 'mode', 'startedAt', 'spec', 'p0', 'n0', 'r0', 'p1', 'n1', 'r1')
  if f[1] then
    out[#out + 1] = { matchId = mid, game = A.game, mode = f[1], startedAt = tonumber(f[2]), spectators = tonumber(f[3]) or 0,
      players = { { playerId = f[4], name = f[5], rating = tonumber(f[6]) }, { playerId = f[7], name = f[8], rating = tonumber(f[9]) } } }
  end
end
return cjson.encode({ matches = out })
