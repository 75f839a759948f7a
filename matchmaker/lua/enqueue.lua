-- A: ticketId, playerId, name, game, mode, now, initial (the rating of a player who has none in that mode)
local game, pid = A.game, A.playerId
local key = pkey(game, pid)
local match, ticket = pointers(key)
if match then return cjson.encode({ error = 'ALREADY_IN_MATCH' }) end
if ticket then return cjson.encode({ error = 'ALREADY_QUEUED' }) end
local r = read_rating(game, A.mode, pid, A.initial)
local t = { ticketId = A.ticketId, playerId = pid, name = A.name, game = game, mode = A.mode, rating = r.rating, mu = r.mu, sigma = r.sigma, enqueuedAt = A.now,
  latencies = A.latencies }
add_ticket(t)
return cjson.encode({ ticket = t })
