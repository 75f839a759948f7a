-- A: game, matchId, node, from, until. `node` adopts a running match of the lapsed host `from`
-- (claimed from it by claim-lapsed-hosts): it becomes the match's host, the match joins its set
-- under its lease, and the record comes back with the latest snapshot. A match that ended, moved to
-- another host already, or has no snapshot is left alone (`match` without `snapshot`, or nothing).
local m = read_match(A.matchId)
if not m or m.game ~= A.game or m.state ~= 'playing' or m.host ~= A.from then return cjson.encode({}) end
local key = k('m', A.matchId)
local snap = redis.call('HGET', key, 'snap')
if not snap then return cjson.encode({ match = m }) end
redis.call('HSET', key, 'host', A.node)
redis.call('SREM', k('hm', A.from), A.matchId)
redis.call('SADD', k('hm', A.node), A.matchId)
redis.call('ZREM', k('reaping'), A.matchId)
local current = redis.call('ZSCORE', k('hosts'), A.node)
if not current or tonumber(current) < A['until'] then redis.call('ZADD', k('hosts'), A['until'], A.node) end
m.host = A.node
return cjson.encode({ match = m, snapshot = snap })
