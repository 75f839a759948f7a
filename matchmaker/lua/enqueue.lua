-- A: ticketId, playerId, name, game, mode, now, initial (the rating of a player who has none in that mode),
-- pass (optional: { now, rules, matchIds }): the pairing pass for the new ticket, run right after it is
-- queued (pairing.lua's `pair_pass`, focused on it), so that a join and its first pairing attempt are one call.
local game, pid = A.game, A.playerId
local key = pkey(game, pid)
local f = redis.call('HMGET', key, 'match', 'ticket', 'node', 'n')
if valid(key, 'match', f[1] or nil) then return cjson.encode({ error = 'ALREADY_IN_MATCH' }) end
if valid(key, 'ticket', f[2] or nil) then return cjson.encode({ error = 'ALREADY_QUEUED' }) end
local r = read_rating(game, A.mode, pid, A.initial)
local t = { ticketId = A.ticketId, playerId = pid, name = A.name, game = game, mode = A.mode, rating = r.rating, mu = r.mu, sigma = r.sigma, enqueuedAt = A.now,
  latencies = A.latencies }
add_ticket(t)
if not A.pass then return cjson.encode({ ticket = t }) end
local made = pair_pass(game, A.mode, A.pass.now, A.pass.rules, t.ticketId, A.pass.matchIds, { ticket = t, node = f[3], n = f[4] })
return cjson.encode({ ticket = t, made = made })
