-- Shared helpers; every script starts with this. ARGV[1] is the key prefix; ARGV[2] holds the
-- script's arguments as one JSON object, built by lua-scripts.ts (its `ScriptArgs` names each field).
-- Every script works on one game, and every key of a game carries the game's hash tag
-- (`<prefix>:{<game>}:...`): a script runs in one slot of a Redis Cluster. The keys it can name
-- from its arguments are declared (KEYS); those it finds in the data (tickets, matches) share the tag.
local P = ARGV[1]
-- Set by a script whose run changed nothing (once.lua then keeps no record of it: a re-send may run it again).
local unchanged = false
local A = cjson.decode(ARGV[2])
local T = P .. ':{' .. A.game .. '}'
local function k(...) return T .. ':' .. table.concat({...}, ':') end
local function pkey(game, pid) return k('p', game, pid) end

-- Safety nets: keys that normal work deletes still expire, long after they should be gone, so
-- that a bug or a lost write never keeps a player, ticket or match forever. A player's key is
-- renewed whenever they connect, queue or are matched; a match's with each of its snapshots.
local PLAYER_TTL_MS = 7 * 86400000
local TICKET_TTL_MS = 3600000
local MATCH_TTL_MS = 86400000

-- The id a player's `field` ('ticket' or 'match') points at, or nil; a pointer to a ticket or
-- match that is gone (expired, or lost) is stale: it is dropped, never trusted.
local function valid(key, field, id)
  if not id then return nil end
  local gone
  if field == 'ticket' then gone = redis.call('HEXISTS', k('tk', A.game), id) == 0 else gone = redis.call('EXISTS', k('m', id)) == 0 end
  if gone then
    redis.call('HDEL', key, field)
    return nil
  end
  return id
end

local function pointer(key, field)
  return valid(key, field, redis.call('HGET', key, field))
end

-- Both of a player's pointers with one read: the match, the ticket.
local function pointers(key)
  local f = redis.call('HMGET', key, 'match', 'ticket')
  return valid(key, 'match', f[1] or nil), valid(key, 'ticket', f[2] or nil)
end

local function alive(game, pid, now, ttl)
  local node = redis.call('HGET', pkey(game, pid), 'node')
  if not node then return false end
  local seen = redis.call('ZSCORE', k('nodes'), node)
  return seen ~= false and tonumber(seen) >= now - ttl
end

local function forget_if_idle(game, pid)
  local key = pkey(game, pid)
  if redis.call('HEXISTS', key, 'node') == 0 and not pointer(key, 'ticket') and not pointer(key, 'match') then
    -- their event numbers too: no connection counts on them; a new one starts later, and higher
    redis.call('DEL', key)
  end
end

-- Tickets: one hash per game (`tk`), a ticket's fields packed as JSON under its id, so that a
-- pairing pass reads all of a ticket's candidates with one HMGET. A ticket's own safety net is the
-- pairing pass: one older than TICKET_TTL_MS that comes up there is dropped (pair.lua).
-- Ratings go as strings of 17 digits: cjson keeps only 14.
local function exact(x) return string.format('%.17g', x) end

local function pack_ticket(t)
  local latencies = nil
  if t.latencies and next(t.latencies) then latencies = t.latencies end
  return cjson.encode({ p = t.playerId, n = t.name, m = t.mode, r = exact(t.rating), e = exact(t.enqueuedAt), u = exact(t.mu), s = exact(t.sigma), l = latencies })
end

local function unpack_ticket(id, packed)
  if not packed then return nil end
  local f = cjson.decode(packed)
  return { ticketId = id, playerId = f.p, name = f.n, game = A.game, mode = f.m, rating = tonumber(f.r), enqueuedAt = tonumber(f.e), mu = tonumber(f.u),
    sigma = tonumber(f.s), latencies = f.l }
end

local function add_ticket(t)
  redis.call('HSET', k('tk', t.game), t.ticketId, pack_ticket(t))
  redis.call('ZADD', k('qr', t.game, t.mode), t.mu, t.ticketId)
  redis.call('ZADD', k('qa', t.game, t.mode), t.enqueuedAt, t.ticketId)
  redis.call('SADD', k('modes', t.game), t.mode)
  redis.call('HSET', pkey(t.game, t.playerId), 'ticket', t.ticketId)
  redis.call('PEXPIRE', pkey(t.game, t.playerId), PLAYER_TTL_MS)
end

local function read_ticket(id)
  return unpack_ticket(id, redis.call('HGET', k('tk', A.game), id))
end

-- Several tickets with one command: id -> ticket, absent for those gone.
local function read_tickets(ids)
  local out = {}
  if #ids == 0 then return out end
  local packed = redis.call('HMGET', k('tk', A.game), unpack(ids))
  for i, id in ipairs(ids) do out[id] = unpack_ticket(id, packed[i]) end
  return out
end

-- Takes tickets (each one's fields, all of one mode) out of the game's hash and their queue, in
-- one command per key; their players' pointers stay.
local function unqueue(ts)
  local ids = {}
  for i, t in ipairs(ts) do ids[i] = t.ticketId end
  redis.call('HDEL', k('tk', A.game), unpack(ids))
  redis.call('ZREM', k('qr', ts[1].game, ts[1].mode), unpack(ids))
  redis.call('ZREM', k('qa', ts[1].game, ts[1].mode), unpack(ids))
end

-- Removes a ticket read already (`t`, its fields), or the ticket of that id.
local function remove_ticket(id, t)
  t = t or read_ticket(id)
  if not t then return nil end
  unqueue({ t })
  local key = pkey(t.game, t.playerId)
  if redis.call('HGET', key, 'ticket') == id then redis.call('HDEL', key, 'ticket') end
  return t
end

local function read_match(id, bare)
  local m = redis.call('HGETALL', k('m', id))
  if #m == 0 then return nil end
  local h = {}
  for i = 1, #m, 2 do h[m[i]] = m[i + 1] end
  local players = {}
  for s = 0, 1 do
    players[s + 1] = { playerId = h['p' .. s], name = h['n' .. s], rating = tonumber(h['r' .. s]), ticketId = h['t' .. s],
      enqueuedAt = tonumber(h['e' .. s]), ready = h['k' .. s] == '1', mu = tonumber(h['u' .. s]), sigma = tonumber(h['s' .. s]) }
    local l = h['l' .. s]
    if l and l ~= '' then players[s + 1].latencies = cjson.decode(l) end
  end
  local latencyMs = nil
  if h.lm then
    local a, b = string.match(h.lm, '^(%S+) (%S+)$')
    latencyMs = { tonumber(a), tonumber(b) }
  end
  local stamps = nil
  if h.q0 and not bare then
    stamps = {}
    for s = 0, 1 do
      stamps[s + 1] = { seq = tonumber(h['q' .. s]) }
      local node = redis.call('HGET', pkey(h.game, players[s + 1].playerId), 'node')
      if node then stamps[s + 1].node = node end
    end
  end
  return { matchId = id, game = h.game, mode = h.mode, state = h.state, players = players,
    createdAt = tonumber(h.createdAt), readyBy = tonumber(h.readyBy), host = h.host, startedAt = tonumber(h.startedAt),
    region = h.region, latencyMs = latencyMs, epoch = tonumber(h.ep), casual = (h.cas == '1') or nil, stamps = stamps }
end

-- Per-player event sequence numbers. Every event about a player's place (match:found,
-- match:cancelled, match:start, match:resumed after an adoption, match:end) carries the player's
-- next number, stamped here by the script that changes the place, with the player's node at that
-- moment (absent when they are not connected): the event goes straight to that node, which hands
-- a player's events over in this order (server/delivery/player-sequence.ts). The numbers live in
-- the player's own hash (`n`, the last one), with the store's time of the last STAMPS_KEPT, for
-- that node to ask about a gap (stamp-ages.lua). A player's numbering starts at the store's clock
-- in seconds times 1000: numbers never go back, even after the store lost its data or the key
-- expired (and stay within cjson's 14 exact digits).
local STAMPS_KEPT = 16
-- The store's clock, read once per script run: everything a script does happens at one instant.
local clock = nil
local function clock_ms()
  if not clock then
    local t = redis.call('TIME')
    clock = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return clock
end

-- The player's last number (`n`: the field as read already, false for none), started now when
-- they have none.
local function last_stamp(game, pid, n)
  if not n then
    n = string.format('%d', math.floor(clock_ms() / 1000) * 1000)
    redis.call('HSET', pkey(game, pid), 'n', n)
  end
  return tonumber(n)
end

-- The number after `n` (a player's `n` field as read; false when they have none: their numbering
-- starts at the store's clock, as last_stamp's does); `first` says it starts.
local function next_seq(n)
  if n then return tonumber(n) + 1, false end
  return math.floor(clock_ms() / 1000) * 1000 + 1, true
end

-- The player's next number, with their node. `known`: the player's `n` and `node` fields as the
-- caller read them ({ n, node }, false for absent), nil to read them here. `fields` (field, value,
-- ...) are written to the player's hash with the number and its time, in one command. The hash's
-- safety net is the caller's to renew (a player's is, when they connect, queue or are matched); a
-- numbering this starts gets one.
local function stamp(game, pid, known, fields)
  local key = pkey(game, pid)
  if not known then
    local f = redis.call('HMGET', key, 'n', 'node')
    known = { n = f[1], node = f[2] }
  end
  local seq, first = next_seq(known.n)
  -- The time of each of the last STAMPS_KEPT numbers, in a ring of fields (`s0`..`s15`: 'seq time').
  local f = fields or {}
  for _, v in ipairs({ 'n', string.format('%d', seq), 's' .. (seq % STAMPS_KEPT), string.format('%d %d', seq, clock_ms()) }) do f[#f + 1] = v end
  redis.call('HSET', key, unpack(f))
  if first then redis.call('PEXPIRE', key, PLAYER_TTL_MS) end
  if known.node then return { seq = seq, node = known.node } end
  return { seq = seq }
end

-- Stamps both players of a match for the event about it that the caller announces (found, start,
-- resumed); the record keeps the numbers (q0, q1) for the host that sends it.
local function stamp_match(m)
  m.stamps = { stamp(m.game, m.players[1].playerId), stamp(m.game, m.players[2].playerId) }
  redis.call('HSET', k('m', m.matchId), 'q0', m.stamps[1].seq, 'q1', m.stamps[2].seq)
  return m
end

-- Fencing: a host's claim on a running match is its node and the match's epoch (1 when it
-- started, one more at each adoption). A write that carries a claim the record no longer matches
-- comes from a host that lost the match (it stalled past its lease and another node adopted it).
local function holds(m, claim)
  return m.state == 'playing' and m.host == claim.host and (m.epoch or 1) == claim.epoch
end

-- Removes a match's record and its place in the game's sets. Which sets hold it follows from its
-- state: the ready checks (`rc`) until it starts; the host's set, the live list and `reaping` after.
-- Its players' pointers are each player's `release`. `keep_host`: it stays in its host's set.
local function drop_match(m, keep_host)
  redis.call('DEL', k('m', m.matchId), k('mi', m.matchId))
  redis.call('SREM', k('ms', m.game), m.matchId)
  if m.state == 'ready_check' then
    redis.call('ZREM', k('rc', m.game), m.matchId)
    return
  end
  if m.host and not keep_host then redis.call('SREM', k('hm', m.host), m.matchId) end
  redis.call('ZREM', k('reaping'), m.matchId)
  redis.call('ZREM', k('live', m.game), m.matchId)
end

-- Frees a player of match `mid` (their pointer to it goes) and stamps them for the event that says
-- so. A player left with nothing (no connection, ticket or other match) is forgotten, numbers and
-- all: no connection counts on them, and a new numbering starts later, and higher. Answers the
-- stamp and the player's node (nil when they have none).
local function release(game, pid, mid)
  local key = pkey(game, pid)
  local f = redis.call('HMGET', key, 'match', 'node', 'ticket', 'n')
  local match, node = f[1] or nil, f[2] or nil
  if match == mid then match = nil end
  if not node and not valid(key, 'ticket', f[3] or nil) and not valid(key, 'match', match) then
    local seq = next_seq(f[4])
    redis.call('DEL', key)
    return { seq = seq }, nil
  end
  if f[1] == mid then redis.call('HDEL', key, 'match') end
  return stamp(game, pid, { n = f[4], node = f[2] }), node
end

-- The fields of a match record's seat s (0 or 1) for a player t (a ticket or a rated seat),
-- appended to `fields` (a list of field, value, ...), which it returns.
local function seat_fields(fields, s, t, ticketId, enqueuedAt)
  local lat = ''
  if t.latencies and next(t.latencies) then lat = cjson.encode(t.latencies) end
  for _, v in ipairs({ 'p' .. s, t.playerId, 'n' .. s, t.name, 'r' .. s, t.rating, 'u' .. s, t.mu, 's' .. s, t.sigma,
    't' .. s, ticketId, 'e' .. s, enqueuedAt, 'k' .. s, 0, 'l' .. s, lat }) do
    fields[#fields + 1] = v
  end
  return fields
end

-- A player's rating in a game and mode ({ rating, mu, sigma }), or `initial`. Guests' ratings are
-- keys of their own that expire (set-ratings); others' are fields of one hash per game and mode.
local function read_rating(game, mode, pid, initial)
  local v
  if string.sub(pid, 1, 2) == 'g_' then v = redis.call('GET', k('gr', game, mode, pid))
  else v = redis.call('HGET', k('rt', game, mode), pid) end
  if not v then return { rating = initial.rating, mu = initial.mu, sigma = initial.sigma } end
  local r, mu, sigma = string.match(v, '^(%S+) (%S+) (%S+)$')
  return { rating = tonumber(r), mu = tonumber(mu), sigma = tonumber(sigma) }
end

-- rating-window.ts's `logit`: the log-odds of a chance.
local function logit(p)
  if p <= 0 then return -math.huge end
  if p >= 1 then return math.huge end
  return math.log(p / (1 - p))
end

-- rating-window.ts's `reach`: the largest pairing distance a ticket accepts after waiting `waited` ms.
local function reach(R, waited)
  if waited < 0 then waited = 0 end
  if R.model.system == 'elo' then
    local w = R.initialWindow + R.widenPerSecond * waited / 1000
    if R.maxWindow > 0 and w > R.maxWindow then w = R.maxWindow end
    return w
  end
  local w = R.initialChance + R.chancePerSecond * waited / 1000
  if w > R.maxChance then w = R.maxChance end
  return logit(0.5 + w)
end

-- rating-window.ts's `pairingDistance`: Elo, the rating gap; OpenSkill, the log-odds of the predicted win.
local function distance(R, a, b)
  if R.model.system == 'elo' then return math.abs(a.mu - b.mu) end
  return math.abs(a.mu - b.mu) / math.sqrt(R.model.twoBetaSq + a.sigma * a.sigma + b.sigma * b.sigma)
end

-- rating-window.ts's `muSpan`: how far from a ticket's mu candidates within its reach can be.
local function mu_span(R, t, r)
  if R.model.system == 'elo' then return r end
  return r * math.sqrt(R.model.twoBetaSq + t.sigma * t.sigma + R.model.sigmaCap * R.model.sigmaCap)
end

-- Ends a match: its players are free, and stamped for its end (returned). What it was and how it ended stay a minute (`fin`, for a
-- rematch, for a dead host's undelivered end, and for `by`: the claim that ended it, so that a
-- retry of that very end is told it landed). A host's own end stays in its set until it confirms
-- delivery (renew-host `delivered`): if it dies first, the node that takes its matches tells the
-- players instead.
local function finish_match(m, now, ending, host, by)
  -- The node that tells the players has the match in its set (again: a lapsed host's match was taken out of it).
  drop_match(m, m.host == host)
  local stamps = { release(m.game, m.players[1].playerId, m.matchId), (release(m.game, m.players[2].playerId, m.matchId)) }
  local fin = k('fin', m.matchId)
  redis.call('HSET', fin, 'p0', m.players[1].playerId, 'p1', m.players[2].playerId, 'n0', m.players[1].name, 'n1', m.players[2].name,
    'mode', m.mode, 'ending', ending, 'endedAt', now, 'by', by, 'q0', stamps[1].seq, 'q1', stamps[2].seq)
  redis.call('PEXPIRE', fin, 60000)
  if host ~= '' then redis.call('SADD', k('hm', host), m.matchId) end
  return stamps
end

-- Keeps a finished match for watching: its replay for `replayTtlMs`; each player's last 20
-- matches; and, for ranked matches, the leaderboard of the game and mode (a player enters it at
-- their 5th ranked match, and moves with every one after). X: matchId, mode, replay, replayTtlMs,
-- historyTtlMs, ranked, players ({ playerId, name, rating, entry, ttl: a guest's history lives as
-- long as the guest, not `historyTtlMs` }).
local function archive_match(game, X)
  redis.call('SET', k('replay', X.matchId), X.replay, 'PX', X.replayTtlMs)
  for _, p in ipairs(X.players) do
    local h = k('hist', game, p.playerId)
    if redis.call('LPUSH', h, p.entry) > 20 then redis.call('LTRIM', h, 0, 19) end
    redis.call('PEXPIRE', h, p.ttl or X.historyTtlMs)
    if X.ranked then
      local n = redis.call('HINCRBY', k('lbn', game, X.mode), p.playerId, 1)
      redis.call('HSET', k('lbname', game), p.playerId, p.name)
      if n >= 5 then redis.call('ZADD', k('lb', game, X.mode), p.rating, p.playerId) end
    end
  end
end

-- Writes ratings ({ playerId, value = 'rating mu sigma' }), where read_rating reads them: a
-- guest's in a key of its own that expires after `guestTtlMs`.
local function write_ratings(game, mode, ratings, guestTtlMs)
  for _, r in ipairs(ratings) do
    if string.sub(r.playerId, 1, 2) == 'g_' then redis.call('SET', k('gr', game, mode, r.playerId), r.value, 'PX', guestTtlMs)
    else redis.call('HSET', k('rt', game, mode), r.playerId, r.value) end
  end
end
