-- A: game, matchId, playerId, host (the node to host when the pairing chose none), now, leaseMs
local game, mid, pid = A.game, A.matchId, A.playerId
local m = read_match(mid)
if not m or m.game ~= game then return cjson.encode({ error = 'UNKNOWN_MATCH' }) end
local seat = nil
for s = 1, 2 do if m.players[s].playerId == pid then seat = s end end
if not seat then return cjson.encode({ error = 'NOT_IN_MATCH' }) end
if m.state ~= 'ready_check' then return cjson.encode({ match = m, started = false }) end
redis.call('HSET', k('m', mid), 'k' .. (seat - 1), 1)
m.players[seat].ready = true
local started = m.players[1].ready and m.players[2].ready
if started then
  local host = m.host or A.host
  redis.call('HSET', k('m', mid), 'state', 'playing', 'host', host, 'startedAt', A.now, 'ep', 1)
  -- Live matches, newest first (GET /v1/matches).
  redis.call('ZADD', k('live', game), A.now, mid)
  redis.call('ZREM', k('rc', game), mid)
  -- The host's lease: its matches are one set, its liveness one entry (renewed by renew-host).
  redis.call('SADD', k('hm', host), mid)
  redis.call('ZADD', k('hosts'), 'GT', A.now + A.leaseMs, host)
  m.state = 'playing'
  m.host = host
  m.startedAt = A.now
  m.epoch = 1
  stamp_match(m)
end
return cjson.encode({ match = m, started = started })
