-- A: game, matchId
local m = read_match(A.matchId)
if not m or m.game ~= A.game then return cjson.encode({ none = true }) end
return cjson.encode({ match = m })
