-- Runs the script once per request id (A.req). ioredis re-sends a script that was in flight when
-- its connection dropped; the re-run must answer the first run's result, not act a second time
-- (a `pair` run twice would overwrite the match it made). Kept a minute: re-sends come within
-- seconds of the reconnect. A run that changed nothing (`unchanged`) leaves no record: running it
-- again is a first run.
local done = k('req', A.req)
local first = redis.call('GET', done)
if first then return cjson.decode(first)[1] end
local result = run()
if not unchanged then redis.call('SET', done, cjson.encode({ result }), 'PX', 60000) end
return result
