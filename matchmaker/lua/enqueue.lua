-- A: ticketId, playerId, name, game, mode, now, defaultRating
local game, pid = A.game, A.playerId
local key = pkey(game, pid)
if redis.call('HEXISTS', key, 'match') == 1 then return cjson.encode({ error = 'ALREADY_IN_MATCH' }) end
if redis.call('HEXISTS', key, 'ticket') == 1 then return cjson.encode({ error = 'ALREADY_QUEUED' }) end
local rating = tonumber(redis.call('HGET', k('rating', game), pid) or A.defaultRating)
local t = { ticketId = A.ticketId, playerId = pid, name = A.name, game = game, mode = A.mode, rating = rating, enqueuedAt = A.now }
add_ticket(t)
return cjson.encode({ ticket = t })
