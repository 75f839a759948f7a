-- A: game, mode, now, rules (PairingRules), focus ('' for none), matchIds
local game, mode, now = A.game, A.mode, A.now
local R = A.rules
local initial, widen, maxw = R.initialWindow, R.widenPerSecond, R.maxWindow
local readyTimeout, ttl = R.readyTimeoutMs, R.ticketTtlMs
local scanOldest, scanCand, maxPairs = R.scanOldest, R.scanCandidates, R.maxPairsPerPass
local focus = A.focus
local ids = A.matchIds
if #ids < maxPairs then maxPairs = #ids end
local qr, qa = k('qr', game, mode), k('qa', game, mode)

local starts
if focus ~= '' then starts = { focus } else starts = redis.call('ZRANGE', qa, 0, scanOldest - 1) end
local used, made = {}, {}
local cache = {}
local function ticket(id)
  if cache[id] == nil then cache[id] = read_ticket(id) or false end
  return cache[id]
end
-- Liveness is looked up once per player and once per node within a pass.
local liveNode, livePlayer, nodeOf = {}, {}, {}
local function live(pid)
  if livePlayer[pid] == nil then
    local node = redis.call('HGET', pkey(game, pid), 'node')
    if not node then
      livePlayer[pid] = false
    else
      if liveNode[node] == nil then
        local seen = redis.call('ZSCORE', k('nodes'), node)
        liveNode[node] = seen ~= false and tonumber(seen) >= now - ttl
      end
      livePlayer[pid] = liveNode[node]
      nodeOf[pid] = node
    end
  end
  return livePlayer[pid]
end
local function older(x, y)
  return x.enqueuedAt < y.enqueuedAt or (x.enqueuedAt == y.enqueuedAt and x.ticketId < y.ticketId)
end

for _, a in ipairs(starts) do
  if #made >= maxPairs then break end
  local ta = ticket(a)
  if not used[a] and ta and ta.game == game and ta.mode == mode and live(ta.playerId) then
    local wa = window(initial, widen, maxw, now - ta.enqueuedAt)
    local cands = redis.call('ZRANGEBYSCORE', qr, ta.rating, ta.rating + wa, 'LIMIT', 0, scanCand)
    local down = redis.call('ZREVRANGEBYSCORE', qr, ta.rating, ta.rating - wa, 'LIMIT', 0, scanCand)
    for _, c in ipairs(down) do cands[#cands + 1] = c end
    local best, bestD = nil, nil
    for _, c in ipairs(cands) do
      if c ~= a and not used[c] then
        local tc = ticket(c)
        if tc then
          local d = math.abs(ta.rating - tc.rating)
          if (best == nil or d < bestD or (d == bestD and older(tc, best))) and d <= window(initial, widen, maxw, now - tc.enqueuedAt) and live(tc.playerId) then
            best, bestD = tc, d
          end
        end
      end
    end
    if best then
      used[a], used[best.ticketId] = true, true
      local first, second = ta, best
      if older(best, ta) then first, second = best, ta end
      local mid = ids[#made + 1]
      local readyBy = now + readyTimeout
      -- The host is chosen now: the node of the player who queued first.
      local host = nodeOf[first.playerId]
      redis.call('HSET', k('m', mid), 'game', game, 'mode', mode, 'state', 'ready_check', 'createdAt', now, 'readyBy', readyBy, 'host', host,
        'p0', first.playerId, 'n0', first.name, 'r0', first.rating, 't0', first.ticketId, 'e0', first.enqueuedAt, 'k0', 0,
        'p1', second.playerId, 'n1', second.name, 'r1', second.rating, 't1', second.ticketId, 'e1', second.enqueuedAt, 'k1', 0)
      for _, t in ipairs({ first, second }) do
        remove_ticket(t.ticketId)
        redis.call('HSET', pkey(game, t.playerId), 'match', mid)
      end
      redis.call('ZADD', k('rc', game), readyBy, mid)
      redis.call('SADD', k('ms', game), mid)
      -- The game's recent waits (ms), for `stats`' time-to-match estimate.
      redis.call('LPUSH', k('waits', game), now - first.enqueuedAt, now - second.enqueuedAt)
      redis.call('LTRIM', k('waits', game), 0, 199)
      made[#made + 1] = read_match(mid)
    end
  end
end
return cjson.encode({ made = made })
