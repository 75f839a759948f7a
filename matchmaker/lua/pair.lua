-- A: game, mode, now, rules (PairingRules), focus ('' for none), matchIds
local game, mode, now = A.game, A.mode, A.now
local R = A.rules
local readyTimeout, ttl = R.readyTimeoutMs, R.ticketTtlMs
local scanOldest, scanCand, maxPairs = R.scanOldest, R.scanCandidates, R.maxPairsPerPass
local focus = A.focus
local ids = A.matchIds
if #ids < maxPairs then maxPairs = #ids end
local qr, qa = k('qr', game, mode), k('qa', game, mode)

local starts
if focus ~= '' then starts = { focus } else starts = redis.call('ZRANGE', qa, 0, scanOldest - 1) end
local used, made = {}, {}
-- Tickets read in this pass (false: gone), fetched a list at a time: the starts, then each start's candidates.
local cache = {}
local function fetch(ids)
  local missing = {}
  for _, id in ipairs(ids) do
    if cache[id] == nil then missing[#missing + 1] = id end
  end
  local found = read_tickets(missing)
  for _, id in ipairs(missing) do cache[id] = found[id] or false end
end
local function ticket(id)
  if cache[id] == nil then fetch({ id }) end
  return cache[id]
end
fetch(starts)
-- Liveness is looked up once per player and once per node within a pass, with the player's ticket
-- pointer and last number.
local liveNode, livePlayer, nodeOf, ticketOf, seqOf = {}, {}, {}, {}, {}
local function is_live(node)
  if liveNode[node] == nil then
    local seen = redis.call('ZSCORE', k('nodes'), node)
    liveNode[node] = seen ~= false and tonumber(seen) >= now - ttl
  end
  return liveNode[node]
end
local function live(pid)
  if livePlayer[pid] == nil then
    local f = redis.call('HMGET', pkey(game, pid), 'node', 'ticket', 'n')
    local node = f[1]
    ticketOf[pid], seqOf[pid] = f[2], f[3]
    if not node then
      livePlayer[pid] = false
    else
      livePlayer[pid] = is_live(node)
      nodeOf[pid] = node
    end
  end
  return livePlayer[pid]
end
local function older(x, y)
  return x.enqueuedAt < y.enqueuedAt or (x.enqueuedAt == y.enqueuedAt and x.ticketId < y.ticketId)
end

-- Regions (meeting-region.ts decides the same way): each node's region from the game's `nreg` hash
-- ('local' for a node that never said), and each region's live nodes in name order.
local regionOf, regionNodes = {}, nil
local function region_of(node)
  if regionOf[node] == nil then regionOf[node] = redis.call('HGET', k('nreg', game), node) or 'local' end
  return regionOf[node]
end
local function live_nodes_in(region)
  if regionNodes == nil then
    regionNodes = {}
    local h = redis.call('HGETALL', k('nreg', game))
    for i = 1, #h, 2 do
      if is_live(h[i]) then
        local list = regionNodes[h[i + 1]] or {}
        list[#list + 1] = h[i]
        regionNodes[h[i + 1]] = list
      end
    end
    for _, list in pairs(regionNodes) do table.sort(list) end
  end
  return regionNodes[region] or {}
end
local function latencies_of(t)
  if t.latencies and next(t.latencies) then return t.latencies end
  return { [region_of(nodeOf[t.playerId])] = 0 }
end
local function latency_window(waited)
  if waited < 0 then waited = 0 end
  local w = R.initialLatencyMs + R.latencyPerSecondMs * waited / 1000
  if w > R.maxLatencyMs then w = R.maxLatencyMs end
  return w
end
-- Where `first` and `second` (the older first) meet: region, host, each one's latency; nil for nowhere yet.
local function meeting(first, second)
  local la, lb = latencies_of(first), latencies_of(second)
  local wa, wb = latency_window(now - first.enqueuedAt), latency_window(now - second.enqueuedAt)
  local na, nb = nodeOf[first.playerId], nodeOf[second.playerId]
  local best = nil
  for region, ms in pairs(la) do
    local other = lb[region]
    if other ~= nil and ms <= wa and other <= wb then
      local worst = math.max(ms, other)
      if best == nil or worst < best.worst or (worst == best.worst and region < best.region) then
        local host = nil
        if region_of(na) == region then host = na elseif region_of(nb) == region then host = nb else host = live_nodes_in(region)[1] end
        if host then best = { region = region, host = host, worst = worst, latencyMs = { ms, other } } end
      end
    end
  end
  return best
end

for _, a in ipairs(starts) do
  if #made >= maxPairs then break end
  local ta = ticket(a)
  -- The safety net of tickets: one that waited an hour is dropped (it should have gone with its player).
  if ta and ta.enqueuedAt < now - TICKET_TTL_MS then
    remove_ticket(a, ta)
    ta = false
  end
  if not used[a] and ta and ta.game == game and ta.mode == mode and live(ta.playerId) then
    local ra = reach(R, now - ta.enqueuedAt)
    local span = mu_span(R, ta, ra)
    local hi, lo = '+inf', '-inf'
    if span < math.huge then hi, lo = ta.mu + span, ta.mu - span end
    local cands = redis.call('ZRANGEBYSCORE', qr, ta.mu, hi, 'LIMIT', 0, scanCand)
    local down = redis.call('ZREVRANGEBYSCORE', qr, ta.mu, lo, 'LIMIT', 0, scanCand)
    for _, c in ipairs(down) do cands[#cands + 1] = c end
    fetch(cands)
    local best, bestD, bestTicket, bestMeet = nil, nil, nil, nil
    local seen = {}
    for _, c in ipairs(cands) do
      if c ~= a and not used[c] and not seen[c] then
        seen[c] = true
        local tc = ticket(c)
        if tc then
          local d = distance(R, ta, tc)
          if (best == nil or d < bestD or (d == bestD and older(tc, bestTicket))) and d <= ra and d <= reach(R, now - tc.enqueuedAt) and live(tc.playerId) then
            local first, second = ta, tc
            if older(tc, ta) then first, second = tc, ta end
            local m = meeting(first, second)
            if m then best, bestD, bestTicket, bestMeet = { first, second }, d, tc, m end
          end
        end
      end
    end
    if best then
      local first, second = best[1], best[2]
      used[first.ticketId], used[second.ticketId] = true, true
      local mid = ids[#made + 1]
      local readyBy = now + readyTimeout
      local pair = { first, second }
      unqueue(pair)
      -- Each player now points at the match (not their ticket) and is numbered for `match:found`, in one write.
      local stamps = {}
      for s, t in ipairs(pair) do
        local key = pkey(game, t.playerId)
        if ticketOf[t.playerId] == t.ticketId then redis.call('HDEL', key, 'ticket') end
        stamps[s] = stamp(game, t.playerId, { n = seqOf[t.playerId], node = nodeOf[t.playerId] }, { 'match', mid })
        redis.call('PEXPIRE', key, PLAYER_TTL_MS)
      end
      local fields = { 'game', game, 'mode', mode, 'state', 'ready_check', 'createdAt', now, 'readyBy', readyBy, 'host', bestMeet.host,
        'region', bestMeet.region, 'lm', bestMeet.latencyMs[1] .. ' ' .. bestMeet.latencyMs[2], 'q0', stamps[1].seq, 'q1', stamps[2].seq }
      seat_fields(fields, 0, first, first.ticketId, first.enqueuedAt)
      seat_fields(fields, 1, second, second.ticketId, second.enqueuedAt)
      redis.call('HSET', k('m', mid), unpack(fields))
      redis.call('PEXPIRE', k('m', mid), MATCH_TTL_MS)
      redis.call('ZADD', k('rc', game), readyBy, mid)
      redis.call('SADD', k('ms', game), mid)
      -- The game's recent waits (ms), for `stats`' time-to-match estimate: the newest 200 are read,
      -- and the list is cut back to them once it holds 100 more.
      if redis.call('LPUSH', k('waits', game), now - first.enqueuedAt, now - second.enqueuedAt) > 300 then redis.call('LTRIM', k('waits', game), 0, 199) end
      -- The record as read_match reads it.
      local players = {}
      for s, t in ipairs(pair) do
        local latencies = nil
        if t.latencies and next(t.latencies) then latencies = t.latencies end
        players[s] = { playerId = t.playerId, name = t.name, rating = t.rating, ticketId = t.ticketId, enqueuedAt = t.enqueuedAt, ready = false, mu = t.mu,
          sigma = t.sigma, latencies = latencies }
      end
      made[#made + 1] = { matchId = mid, game = game, mode = mode, state = 'ready_check', players = players, createdAt = now, readyBy = readyBy,
        host = bestMeet.host, region = bestMeet.region, latencyMs = bestMeet.latencyMs, stamps = stamps }
    end
  end
end
if #made == 0 then unchanged = true end
return cjson.encode({ made = made })
