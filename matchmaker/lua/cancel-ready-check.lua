-- A: game, matchId, reason, leaver ('' for none)
local game, mid, leaver = A.game, A.matchId, A.leaver
local m = read_match(mid, true)
if not m or m.game ~= game or m.state ~= 'ready_check' then
  unchanged = true
  return cjson.encode({ none = true })
end
drop_match(m)
local seats = {}
for s = 1, 2 do
  local p = m.players[s]
  local numbered, node = release(game, p.playerId, mid)
  -- A match made without a queue (a challenge, a code, a rematch) has no tickets to put back.
  local requeued = p.ready and p.playerId ~= leaver and p.ticketId ~= '' and node ~= nil
  if requeued then
    add_ticket({ ticketId = p.ticketId, playerId = p.playerId, name = p.name, game = game, mode = m.mode, rating = p.rating, mu = p.mu, sigma = p.sigma, latencies = p.latencies,
      enqueuedAt = p.enqueuedAt })
  end
  seats[s] = { playerId = p.playerId, seat = s - 1, ticketId = p.ticketId, requeued = requeued, stamp = numbered }
end
return cjson.encode({ matchId = mid, game = game, reason = A.reason, seats = seats })
