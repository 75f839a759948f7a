-- A: game, matchId, mode, replay (JSON), replayTtlMs, historyTtlMs, ranked, players ({ playerId, name,
-- rating, entry (the history entry, JSON) }). Keeps a finished match for watching: its replay for
-- `replayTtlMs`; each player's last 20 matches; and, for ranked matches, the leaderboard of the
-- game and mode (a player enters it at their 5th ranked match, and moves with every one after).
redis.call('SET', k('replay', A.matchId), A.replay, 'PX', A.replayTtlMs)
for _, p in ipairs(A.players) do
  local h = k('hist', A.game, p.playerId)
  redis.call('LPUSH', h, p.entry)
  redis.call('LTRIM', h, 0, 19)
  redis.call('PEXPIRE', h, A.historyTtlMs)
  if A.ranked then
    local n = redis.call('HINCRBY', k('lbn', A.game, A.mode), p.playerId, 1)
    redis.call('HSET', k('lbname', A.game), p.playerId, p.name)
    if n >= 5 then redis.call('ZADD', k('lb', A.game, A.mode), p.rating, p.playerId) end
  end
end
return 1
