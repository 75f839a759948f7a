-- A: game, matchId, node, from, until. `node` adopts a running match of the lapsed host `from`
-- (claimed from it by claim-lapsed-hosts): it becomes the match's host, the match joins its set
-- under its lease, and the record comes back with the latest snapshot. A match that moved to another
-- host already, or has no snapshot (its host claim goes one epoch up: the old host's writes are refused), is left alone (`match` without `snapshot`, or nothing); one
-- that ended comes back as its end (`ended`) when its host may not have delivered it.
local m = read_match(A.matchId)
if not m then
  -- Ended by its host, which died before it confirmed telling the players: the end goes to them again.
  redis.call('SREM', k('hm', A.from), A.matchId)
  redis.call('ZREM', k('reaping'), A.matchId)
  local f = redis.call('HMGET', k('fin', A.matchId), 'p0', 'p1', 'ending', 'q0', 'q1')
  if f[1] and f[3] and f[3] ~= '' then
    -- The same numbers as the host's telling: a player it did reach is not told twice.
    local stamps = {}
    for s = 1, 2 do
      stamps[s] = { seq = tonumber(f[3 + s]) }
      local node = redis.call('HGET', pkey(A.game, f[s]), 'node')
      if node then stamps[s].node = node end
    end
    return cjson.encode({ ended = { players = { f[1], f[2] }, ending = f[3], stamps = stamps } })
  end
  return cjson.encode({})
end
if m.game ~= A.game or m.state ~= 'playing' or m.host ~= A.from then return cjson.encode({}) end
local key = k('m', A.matchId)
local snap = redis.call('HGET', key, 'snap')
if not snap then return cjson.encode({ match = m }) end
redis.call('HSET', key, 'host', A.node)
m.epoch = redis.call('HINCRBY', key, 'ep', 1)
redis.call('SREM', k('hm', A.from), A.matchId)
redis.call('SADD', k('hm', A.node), A.matchId)
redis.call('ZREM', k('reaping'), A.matchId)
local current = redis.call('ZSCORE', k('hosts'), A.node)
if not current or tonumber(current) < A['until'] then redis.call('ZADD', k('hosts'), A['until'], A.node) end
m.host = A.node
stamp_match(m)
local inputs = redis.call('LRANGE', k('mi', A.matchId), 0, -1)
local gap = redis.call('HGET', key, 'gap') == '1'
return cjson.encode({ match = m, snapshot = snap, inputs = inputs, truncated = gap })
