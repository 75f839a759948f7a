-- A: game, matchId, now, ending (the `match:end` payload as JSON, or ''), host (the node that
-- tells the players, or ''), claim ({ host, epoch }, or absent): ends a match (prelude's
-- finish_match). With a claim, only while that claim holds the match (a lapsed host's match ended
-- by the node that claimed it, or a host's own never-started match): 0 otherwise.
local m = read_match(A.matchId)
if not m or m.game ~= A.game then return 0 end
if A.claim and not holds(m, A.claim) then return 0 end
local by = ''
if A.claim then by = A.claim.host .. '/' .. A.claim.epoch end
finish_match(m, A.now, A.ending, A.host, by)
return 1
