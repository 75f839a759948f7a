-- A: game, playerId, generation
local game, pid = A.game, A.playerId
local key = pkey(game, pid)
local cur = redis.call('HMGET', key, 'node', 'gen', 'ticket', 'match')
if not cur[1] or tonumber(cur[2]) ~= A.generation then return cjson.encode({ none = true }) end
local out = { ticket = false }
if cur[3] then
  out.ticket = remove_ticket(cur[3]) ~= nil
  out.ticketId = cur[3]
end
if cur[4] then
  local state = redis.call('HGET', k('m', cur[4]), 'state')
  if state then out.match = { matchId = cur[4], state = state } end
end
redis.call('SREM', k('np', cur[1]), game .. '|' .. pid)
redis.call('HDEL', key, 'node', 'gen')
redis.call('ZREM', k('lobby', game), pid)
forget_if_idle(game, pid)
return cjson.encode(out)
