-- ARGV: prefix, game, matchId
local m = read_match(ARGV[3])
if not m or m.game ~= ARGV[2] then return cjson.encode({ none = true }) end
return cjson.encode({ match = m })
