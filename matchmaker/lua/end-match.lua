-- A: game, matchId, now, ending (the `match:end` payload as JSON, or ''), host (the node that
-- tells the players, or ''). Ends a match: its players are free. What it was and how it ended stay
-- a minute (`fin`, for a rematch and for a dead host's undelivered end). A host's own end stays in
-- its set until it confirms delivery (renew-host `delivered`): if it dies first, the node that
-- takes its matches tells the players instead.
local m = read_match(A.matchId)
if not m or m.game ~= A.game then return 0 end
drop_match(m)
for s = 1, 2 do forget_if_idle(m.game, m.players[s].playerId) end
local fin = k('fin', A.matchId)
redis.call('HSET', fin, 'p0', m.players[1].playerId, 'p1', m.players[2].playerId, 'n0', m.players[1].name, 'n1', m.players[2].name,
  'mode', m.mode, 'ending', A.ending, 'endedAt', A.now)
redis.call('PEXPIRE', fin, 60000)
if A.host ~= '' then redis.call('SADD', k('hm', A.host), A.matchId) end
return 1
