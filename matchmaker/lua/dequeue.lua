-- A: game, playerId
local game, pid = A.game, A.playerId
local key = pkey(game, pid)
local ticket = pointer(key, 'ticket')
if ticket then
  remove_ticket(ticket)
  forget_if_idle(game, pid)
  return cjson.encode({ ticket = true, ticketId = ticket })
end
local mid = pointer(key, 'match')
if mid then
  local state = redis.call('HGET', k('m', mid), 'state')
  if state then return cjson.encode({ ticket = false, match = { matchId = mid, state = state } }) end
end
return cjson.encode({ ticket = false })
