-- A: game, playerId, name, node, generation, now
local game, pid, node, gen = A.game, A.playerId, A.node, A.generation
-- A node with sessions is always known to the sweeper, even before its first heartbeat.
redis.call('ZADD', k('nodes'), 'GT', A.now, node)
local key = pkey(game, pid)
local old = redis.call('HMGET', key, 'node', 'gen', 'n')
if old[2] and tonumber(old[2]) > gen then return cjson.encode({ stale = true, seq = last_stamp(game, pid, old[3]) }) end
local replaced = nil
if old[1] and old[1] ~= node then
  redis.call('SREM', k('np', old[1]), game .. '|' .. pid)
  replaced = old[1]
end
redis.call('HSET', key, 'node', node, 'gen', gen, 'name', A.name)
redis.call('PEXPIRE', key, PLAYER_TTL_MS)
redis.call('SADD', k('np', node), game .. '|' .. pid)
redis.call('ZADD', k('lobby', game), 0, pid)
local mid = pointer(key, 'match')
if mid then
  local f = redis.call('HMGET', k('m', mid), 'state', 'host')
  if f[1] then return cjson.encode({ match = { matchId = mid, state = f[1], host = f[2] or nil }, replaced = replaced, seq = last_stamp(game, pid, old[3]) }) end
end
return cjson.encode({ replaced = replaced, seq = last_stamp(game, pid, old[3]) })
