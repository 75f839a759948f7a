-- A: game, now, ttl, limit. Removes what dead nodes left in one game: their players' tickets and
-- sessions, at most `limit` players per call (`more` says whether to call again; `gone`: the nodes
-- now forgotten in this game).
local cutoff = A.now - A.ttl
local dead = redis.call('ZRANGEBYSCORE', k('nodes'), '-inf', '(' .. cutoff)
local budget = A.limit
local more = false
local expired, orphans, gone = {}, {}, {}
for _, node in ipairs(dead) do
  if budget <= 0 then
    more = true
    break
  end
  local members = redis.call('SPOP', k('np', node), budget)
  for _, member in ipairs(members) do
    local cut = string.find(member, '|', 1, true)
    local game, pid = string.sub(member, 1, cut - 1), string.sub(member, cut + 1)
    local key = pkey(game, pid)
    if redis.call('HGET', key, 'node') == node then
      local ticket = redis.call('HGET', key, 'ticket')
      if ticket then
        local t = remove_ticket(ticket)
        if t then expired[#expired + 1] = t end
      end
      local mid = redis.call('HGET', key, 'match')
      if mid then orphans[#orphans + 1] = { game = game, playerId = pid, matchId = mid } end
      redis.call('HDEL', key, 'node', 'gen')
      redis.call('ZREM', k('lobby', game), pid)
      forget_if_idle(game, pid)
    end
  end
  budget = budget - #members
  if redis.call('EXISTS', k('np', node)) == 1 then
    more = true
    break
  end
  redis.call('ZREM', k('nodes'), node)
  redis.call('HDEL', k('nreg', A.game), node)
  gone[#gone + 1] = node
end
return cjson.encode({ expired = expired, orphans = orphans, more = more, gone = gone })
