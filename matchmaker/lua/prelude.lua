-- Shared helpers; every script starts with this. ARGV[1] is the key prefix; ARGV[2] holds the
-- script's arguments as one JSON object, built by lua-scripts.ts (its `ScriptArgs` names each field).
-- Every script works on one game, and every key of a game carries the game's hash tag
-- (`<prefix>:{<game>}:...`): a script runs in one slot of a Redis Cluster. The keys it can name
-- from its arguments are declared (KEYS); those it finds in the data (tickets, matches) share the tag.
local P = ARGV[1]
local A = cjson.decode(ARGV[2])
local T = P .. ':{' .. A.game .. '}'
local function k(...) return T .. ':' .. table.concat({...}, ':') end
local function pkey(game, pid) return k('p', game, pid) end

local function alive(game, pid, now, ttl)
  local node = redis.call('HGET', pkey(game, pid), 'node')
  if not node then return false end
  local seen = redis.call('ZSCORE', k('nodes'), node)
  return seen ~= false and tonumber(seen) >= now - ttl
end

local function forget_if_idle(game, pid)
  local key = pkey(game, pid)
  if redis.call('HEXISTS', key, 'node') == 0 and redis.call('HEXISTS', key, 'ticket') == 0 and redis.call('HEXISTS', key, 'match') == 0 then
    redis.call('DEL', key)
  end
end

local function add_ticket(t)
  redis.call('HSET', k('t', t.ticketId), 'playerId', t.playerId, 'name', t.name, 'game', t.game, 'mode', t.mode,
    'rating', t.rating, 'enqueuedAt', t.enqueuedAt)
  redis.call('ZADD', k('qr', t.game, t.mode), t.rating, t.ticketId)
  redis.call('ZADD', k('qa', t.game, t.mode), t.enqueuedAt, t.ticketId)
  redis.call('SADD', k('modes', t.game), t.mode)
  redis.call('HSET', pkey(t.game, t.playerId), 'ticket', t.ticketId)
end

local function read_ticket(id)
  local f = redis.call('HMGET', k('t', id), 'playerId', 'name', 'game', 'mode', 'rating', 'enqueuedAt')
  if not f[1] then return nil end
  return { ticketId = id, playerId = f[1], name = f[2], game = f[3], mode = f[4], rating = tonumber(f[5]), enqueuedAt = tonumber(f[6]) }
end

local function remove_ticket(id)
  local t = read_ticket(id)
  if not t then return nil end
  redis.call('DEL', k('t', id))
  redis.call('ZREM', k('qr', t.game, t.mode), id)
  redis.call('ZREM', k('qa', t.game, t.mode), id)
  local key = pkey(t.game, t.playerId)
  if redis.call('HGET', key, 'ticket') == id then redis.call('HDEL', key, 'ticket') end
  return t
end

local function read_match(id)
  local m = redis.call('HGETALL', k('m', id))
  if #m == 0 then return nil end
  local h = {}
  for i = 1, #m, 2 do h[m[i]] = m[i + 1] end
  local players = {}
  for s = 0, 1 do
    players[s + 1] = { playerId = h['p' .. s], name = h['n' .. s], rating = tonumber(h['r' .. s]), ticketId = h['t' .. s],
      enqueuedAt = tonumber(h['e' .. s]), ready = h['k' .. s] == '1' }
  end
  return { matchId = id, game = h.game, mode = h.mode, state = h.state, players = players,
    createdAt = tonumber(h.createdAt), readyBy = tonumber(h.readyBy), host = h.host, startedAt = tonumber(h.startedAt) }
end

local function drop_match(m)
  redis.call('DEL', k('m', m.matchId))
  redis.call('ZREM', k('rc', m.game), m.matchId)
  redis.call('SREM', k('ms', m.game), m.matchId)
  if m.host then redis.call('SREM', k('hm', m.host), m.matchId) end
  redis.call('ZREM', k('reaping'), m.matchId)
  redis.call('ZREM', k('live', m.game), m.matchId)
  for s = 1, 2 do
    local key = pkey(m.game, m.players[s].playerId)
    if redis.call('HGET', key, 'match') == m.matchId then redis.call('HDEL', key, 'match') end
  end
end

local function window(initial, widen, maxw, waited)
  if waited < 0 then waited = 0 end
  local w = initial + widen * waited / 1000
  if maxw > 0 and w > maxw then w = maxw end
  return w
end
