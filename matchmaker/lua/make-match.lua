-- A: game, matchId, mode, players (two playerIds, in seat order), now, readyTimeoutMs,
-- initial (the rating of a player who has none in that mode), offer (the key of a challenge, private code or rematch that this match uses up,
-- or ''), casual (rates nothing whatever its mode). Makes a match of two named players without a queue: both must be online and neither
-- queued nor in a match. The host is the node of the first player; then the usual ready check.
if A.offer ~= '' and redis.call('EXISTS', k(A.offer)) == 0 then return cjson.encode({ error = 'UNKNOWN_CODE' }) end
local seats = {}
for s, pid in ipairs(A.players) do
  local f = redis.call('HMGET', pkey(A.game, pid), 'node', 'name')
  if not f[1] then return cjson.encode({ error = 'UNKNOWN_PLAYER' }) end
  if pointer(pkey(A.game, pid), 'match') then return cjson.encode({ error = 'ALREADY_IN_MATCH' }) end
  if pointer(pkey(A.game, pid), 'ticket') then return cjson.encode({ error = 'ALREADY_QUEUED' }) end
  local r = read_rating(A.game, A.mode, pid, A.initial)
  seats[s] = { playerId = pid, node = f[1], name = f[2] or pid, rating = r.rating, mu = r.mu, sigma = r.sigma }
end
local mid, first, second = A.matchId, seats[1], seats[2]
local readyBy = A.now + A.readyTimeoutMs
redis.call('HSET', k('m', mid), 'game', A.game, 'mode', A.mode, 'state', 'ready_check', 'createdAt', A.now, 'readyBy', readyBy, 'host', first.node)
redis.call('HSET', k('m', mid), unpack(seat_fields(seat_fields({}, 0, first, '', A.now), 1, second, '', A.now)))
if A.casual then redis.call('HSET', k('m', mid), 'cas', 1) end
redis.call('PEXPIRE', k('m', mid), MATCH_TTL_MS)
for _, p in ipairs(seats) do
  redis.call('HSET', pkey(A.game, p.playerId), 'match', mid)
  redis.call('PEXPIRE', pkey(A.game, p.playerId), PLAYER_TTL_MS)
end
redis.call('ZADD', k('rc', A.game), readyBy, mid)
redis.call('SADD', k('ms', A.game), mid)
if A.offer ~= '' then redis.call('DEL', k(A.offer)) end
return cjson.encode({ match = stamp_match(read_match(mid)) })
