-- A: game, matchId
local m = read_match(A.matchId)
if not m or m.game ~= A.game then return 0 end
drop_match(m)
for s = 1, 2 do forget_if_idle(m.game, m.players[s].playerId) end
return 1
