-- A: game, node, snapshots ({ matchId, snapshot, epoch, from, inputs }). Keeps each running match's latest snapshot in
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
    -- The replay's inputs: appended, never rewritten, so a snapshot costs the state, not the match.
    if s.inputs and #s.inputs > 0 then
      local list = k('mi', s.matchId)
      local have = redis.call('LLEN', list)
      local from = s.from or 0
      -- fewer than the host thinks it wrote: lost (Redis lost its data); the replay is truncated
      if have < from then redis.call('HSET', key, 'gap', 1) end
      local skip = have - from
      if skip < 0 then skip = 0 end
      for i = skip + 1, #s.inputs do redis.call('RPUSH', list, s.inputs[i]) end
      redis.call('PEXPIRE', list, MATCH_TTL_MS)
    end
  end
end
return cjson.encode({ lost = lost })
