-- A: game, matchId, playerId, host (the node to host when the pairing chose none), now, leaseMs
local game, mid, pid = A.game, A.matchId, A.playerId
local m = read_match(mid, true)
if not m or m.game ~= game then return cjson.encode({ error = 'UNKNOWN_MATCH' }) end
local seat = nil
for s = 1, 2 do if m.players[s].playerId == pid then seat = s end end
if not seat then return cjson.encode({ error = 'NOT_IN_MATCH' }) end
if m.state ~= 'ready_check' then return cjson.encode({ match = m, started = false }) end
m.players[seat].ready = true
local started = m.players[1].ready and m.players[2].ready
if not started then
  redis.call('HSET', k('m', mid), 'k' .. (seat - 1), 1)
  return cjson.encode({ match = m, started = false })
end
local host = m.host or A.host
m.state = 'playing'
m.host = host
m.startedAt = A.now
m.epoch = 1
-- Both players numbered for `match:start`, the numbers kept in the record (as stamp_match keeps them), in one write.
m.stamps = { stamp(game, m.players[1].playerId), stamp(game, m.players[2].playerId) }
redis.call('HSET', k('m', mid), 'k' .. (seat - 1), 1, 'state', 'playing', 'host', host, 'startedAt', A.now, 'ep', 1, 'q0', m.stamps[1].seq, 'q1', m.stamps[2].seq)
-- Live matches, newest first (GET /v1/matches).
redis.call('ZADD', k('live', game), A.now, mid)
redis.call('ZREM', k('rc', game), mid)
-- The host's lease: its matches are one set, its liveness one entry (renewed by renew-host).
redis.call('SADD', k('hm', host), mid)
redis.call('ZADD', k('hosts'), 'GT', A.now + A.leaseMs, host)
return cjson.encode({ match = m, started = true })
