-- ARGV: prefix, game, matchId, playerId, hostNode, now, leaseMs
local game, mid, pid = ARGV[2], ARGV[3], ARGV[4]
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
  redis.call('HSET', k('m', mid), 'state', 'playing', 'host', ARGV[5])
  redis.call('ZREM', k('rc', game), mid)
  redis.call('ZADD', k('leases'), tonumber(ARGV[6]) + tonumber(ARGV[7]), game .. '|' .. mid)
  m.state = 'playing'
  m.host = ARGV[5]
end
return cjson.encode({ match = m, started = started })
