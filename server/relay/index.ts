/**
 * Between nodes: the relay (`relay.ts`), one Redis channel per node that carries players' events,
 * states and requests to their host, in order, and holds what a reconnecting node missed; and the
 * operators' announcements to every player of a game on every node (`announce.ts`, `npm run announce`).
 */
export { announce } from "./announce.ts";
export { createRelayCounters, HOLD_MS, LocalRelay, RedisRelay, type RelayCounters } from "./relay.ts";
