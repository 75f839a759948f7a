-- A: game, matchId, mode, now, claim ({ host, epoch }), ending (the `match:end` payload as JSON),
-- ratings ({ playerId, value }, empty when they do not change), guestTtlMs, archive (as
-- archive_match takes it). A host records the end of its match in one step: the ratings, the end
-- and the archive change together, exactly once per match. Answers 1 when recorded; 2 when this
-- claim recorded it already (a retry whose first reply was lost); 0 when the claim does not hold
-- the match (another node adopted it, or it was ended otherwise); 3 when the store knows nothing of
-- it (it lost its data, or the end is older than a minute). Nothing is written but on 1, which
-- also answers the players' stamps for the end. The answer is `{ code, stamps }`.
local m = read_match(A.matchId, true)
local by = A.claim.host .. '/' .. A.claim.epoch
if not m or m.game ~= A.game then
  local ended = redis.call('HGET', k('fin', A.matchId), 'by')
  if ended == by then return cjson.encode({ code = 2 }) end
  if ended then return cjson.encode({ code = 0 }) end
  return cjson.encode({ code = 3 })
end
if not holds(m, A.claim) then return cjson.encode({ code = 0 }) end
write_ratings(A.game, A.mode, A.ratings, A.guestTtlMs)
local stamps = finish_match(m, A.now, A.ending, A.claim.host, by)
archive_match(A.game, A.archive)
return cjson.encode({ code = 1, stamps = stamps })
