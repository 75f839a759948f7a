-- A: game. Forgets, a bounded batch per call, the leaderboard entries of guests whose ratings
-- expired (no `gr` key left): their match counts and ranks in each mode (`lbn`, `lb`), then their
-- names (`lbname`) once no mode counts them. Each hash is walked with HSCAN, its cursor kept in
-- `lbcur` between calls (and dropped when a walk ends). Returns how many entries went.
local removed = 0
local function guest_gone(mode, pid)
  return string.sub(pid, 1, 2) == 'g_' and redis.call('EXISTS', k('gr', A.game, mode, pid)) == 0
end
local function step(field, hash, visit)
  local cursor = redis.call('HGET', k('lbcur'), field) or '0'
  local page = redis.call('HSCAN', hash, cursor, 'COUNT', 1000)
  for i = 1, #page[2], 2 do visit(page[2][i]) end
  if page[1] == '0' then redis.call('HDEL', k('lbcur'), field) else redis.call('HSET', k('lbcur'), field, page[1]) end
end
local modes = redis.call('SMEMBERS', k('modes', A.game))
for _, mode in ipairs(modes) do
  step('n:' .. mode, k('lbn', A.game, mode), function(pid)
    if guest_gone(mode, pid) then
      redis.call('HDEL', k('lbn', A.game, mode), pid)
      redis.call('ZREM', k('lb', A.game, mode), pid)
      removed = removed + 1
    end
  end)
end
step('names', k('lbname', A.game), function(pid)
  if string.sub(pid, 1, 2) ~= 'g_' then return end
  for _, mode in ipairs(modes) do
    if redis.call('HEXISTS', k('lbn', A.game, mode), pid) == 1 then return end
  end
  redis.call('HDEL', k('lbname', A.game), pid)
  removed = removed + 1
end)
return removed
