-- A: game, playerId
local game, pid = A.game, A.playerId
local key = pkey(game, pid)
local f = redis.call('HMGET', key, 'ticket', 'match', 'node')
-- A pointer to a ticket or match that is gone is dropped (prelude's `valid`), read with the ticket or the state.
local t = f[1] and read_ticket(f[1])
if f[1] and not t then redis.call('HDEL', key, 'ticket') end
local mid, state = f[2] or nil, nil
if mid then
  state = redis.call('HGET', k('m', mid), 'state')
  if not state then
    redis.call('HDEL', key, 'match')
    mid = nil
  end
end
if t then
  unqueue({ t })
  -- A player with no connection and no match is forgotten (prelude's `forget_if_idle`).
  if not f[3] and not mid then redis.call('DEL', key) else redis.call('HDEL', key, 'ticket') end
  return cjson.encode({ ticket = true, ticketId = t.ticketId })
end
-- (dropping a stale pointer changes nothing that a second run could do differently)
unchanged = true
if mid then return cjson.encode({ ticket = false, match = { matchId = mid, state = state } }) end
return cjson.encode({ ticket = false })
