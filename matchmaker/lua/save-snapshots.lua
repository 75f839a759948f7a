-- A: game, node, snapshots ({ matchId, snapshot, epoch }). Keeps each running match's latest snapshot in
-- its record while `node` is its host. Returns the matches another node adopted after this node's
-- lease lapsed (a stall, not a death): its host or epoch is not the writer's. A match without a record is skipped: it ended, or Redis
-- lost its data and the node's recovery writes it again.
local lost = {}
for _, s in ipairs(A.snapshots) do
  local key = k('m', s.matchId)
  local f = redis.call('HMGET', key, 'state', 'host', 'ep')
  if f[2] and (f[2] ~= A.node or (s.epoch and tonumber(f[3] or '1') ~= s.epoch)) then
    lost[#lost + 1] = s.matchId
  elseif f[1] == 'playing' then
    redis.call('HSET', key, 'snap', s.snapshot)
    redis.call('PEXPIRE', key, MATCH_TTL_MS)
  end
end
return cjson.encode({ lost = lost })
