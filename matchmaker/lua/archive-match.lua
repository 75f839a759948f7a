-- A: game, matchId, mode, replay (JSON), replayTtlMs, historyTtlMs, ranked, players ({ playerId, name,
-- rating, entry (the history entry, JSON) }). Keeps a finished match for watching (prelude's archive_match).
archive_match(A.game, A)
return 1
