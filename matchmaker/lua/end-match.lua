-- A: game, matchId, now, ending (the `match:end` payload as JSON, or ''), host (the node that
-- tells the players, or ''), claim ({ host, epoch }, or absent): ends a match (prelude's
-- finish_match). With a claim, only while that claim holds the match (a lapsed host's match ended
-- by the node that claimed it, or a host's own never-started match): nothing otherwise. Answers
-- the players' stamps for the end (prelude's `stamp`).
local m = read_match(A.matchId, true)
if not m or m.game ~= A.game then return cjson.encode({}) end
if A.claim and not holds(m, A.claim) then return cjson.encode({}) end
-- not a host's own recorded end (finish-match): a retry of the host's end must not pass for this one
return cjson.encode({ stamps = finish_match(m, A.now, A.ending, A.host, 'ended') })
