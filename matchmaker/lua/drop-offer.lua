-- A: game, key (after the game's prefix)
-- Drops an offer; says whether there was one to drop (only one taker wins an offer).
return cjson.encode({ dropped = redis.call('DEL', k(A.key)) == 1 })
