-- A: game, key (after the game's prefix), offer, ttlMs
-- Puts an offer (a challenge, a private code) unless one is already there under that key.
local ok = redis.call('SET', k(A.key), A.offer, 'PX', A.ttlMs, 'NX')
return cjson.encode({ put = ok ~= false })
