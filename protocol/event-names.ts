/** Names of the client events, for runtime checks. */
export const CLIENT_EVENTS = [
  "queue:join",
  "queue:leave",
  "match:ready",
  "game:input",
  "match:leave",
  "chat:send",
  "stats",
  "state:ack",
  "lobby:list",
  "lobby:chat",
  "dm:send",
  "challenge:send",
  "challenge:answer",
  "private:create",
  "private:join",
  "match:rematch",
  "match:spectate",
  "match:unspectate",
  "time:sync",
] as const;

export type ClientEventName = (typeof CLIENT_EVENTS)[number];
