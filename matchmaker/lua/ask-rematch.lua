-- A: game, matchId, playerId, now, windowMs. A player of a match that ended within `windowMs` asks
-- for a rematch: `waiting` (with the opponent to tell) until both asked, then `players` with the
-- seats swapped and the mode, for make-match (which uses the record up).
local fin = k('fin', A.matchId)
local f = redis.call('HMGET', fin, 'p0', 'p1', 'mode', 'endedAt')
if not f[1] or tonumber(f[4]) + A.windowMs < A.now then return cjson.encode({ error = 'UNKNOWN_MATCH' }) end
local seat = nil
if f[1] == A.playerId then seat = 0 elseif f[2] == A.playerId then seat = 1 end
if not seat then return cjson.encode({ error = 'NOT_IN_MATCH' }) end
redis.call('HSET', fin, 'asked' .. seat, 1)
local other = redis.call('HGET', fin, 'asked' .. (1 - seat))
if other then return cjson.encode({ waiting = false, players = { f[2], f[1] }, mode = f[3] }) end
return cjson.encode({ waiting = true, opponent = seat == 0 and f[2] or f[1] })
