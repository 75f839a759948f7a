-- A: game, after ('' for the start), limit. Players online in the game, in playerId order after
-- `after`, each with name and status; `total` online; `next` when more follow.
local key = k('lobby', A.game)
local from = '-'
if A.after ~= '' then from = '(' .. A.after end
local ids = redis.call('ZRANGEBYLEX', key, from, '+', 'LIMIT', 0, A.limit + 1)
local players = {}
for i = 1, math.min(#ids, A.limit) do
  local pid = ids[i]
  local f = redis.call('HMGET', pkey(A.game, pid), 'name', 'ticket', 'match')
  local status = 'idle'
  if f[3] then status = 'playing' elseif f[2] then status = 'queued' end
  players[#players + 1] = { playerId = pid, name = f[1] or pid, status = status }
end
local out = { players = players, total = redis.call('ZCARD', key) }
if #ids > A.limit then out.next = ids[A.limit] end
return cjson.encode(out)
