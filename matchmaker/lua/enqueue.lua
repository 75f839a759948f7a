-- ARGV: prefix, ticketId, playerId, name, game, mode, now, defaultRating
local game, pid = ARGV[5], ARGV[3]
local key = pkey(game, pid)
if redis.call('HEXISTS', key, 'match') == 1 then return cjson.encode({ error = 'ALREADY_IN_MATCH' }) end
if redis.call('HEXISTS', key, 'ticket') == 1 then return cjson.encode({ error = 'ALREADY_QUEUED' }) end
local rating = tonumber(redis.call('HGET', k('rating', game), pid) or ARGV[8])
local t = { ticketId = ARGV[2], playerId = pid, name = ARGV[4], game = game, mode = ARGV[6], rating = rating, enqueuedAt = tonumber(ARGV[7]) }
add_ticket(t)
return cjson.encode({ ticket = t })
