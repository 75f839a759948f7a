-- A: game, mode, now, rules (PairingRules), focus ('' for none), matchIds (pairing.lua's `pair_pass`)
local made = pair_pass(A.game, A.mode, A.now, A.rules, A.focus, A.matchIds)
if #made == 0 then unchanged = true end
return cjson.encode({ made = made })
