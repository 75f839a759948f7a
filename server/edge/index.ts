/**
 * The edge: where players' sockets meet the server. A game's namespace (`game-namespace.ts`) checks
 * the handshake (`player-auth.ts`, `auth.ts`), keeps one live connection per player on any node
 * (`session-takeover.ts`), bounds what a player may do (connection rate and cap, event budgets,
 * token buckets, code guesses), validates every payload at the door and hands it to its handler
 * (`event-handlers.ts`, `handlers/`), which answers with a coded ack.
 */
export { TokenService, TokenError, type Identity, type TokenClaims } from "./auth.ts";
export { clientAddress, GuestMints, socketAddress } from "./client-address.ts";
export { ConnectionCap, connectionsBelow, fileDescriptorLimit } from "./connection-cap.ts";
export { ConnectionRate } from "./connection-rate.ts";
export { openGameNamespace, type GameService, type NamespaceDeps } from "./game-namespace.ts";
export { PlayerBudgets } from "./player-budgets.ts";
export { KeyedBuckets } from "./rate-limit.ts";
export { SessionTakeover } from "./session-takeover.ts";
export { type ArenaIo, type ArenaNamespace, type ArenaSocket } from "./types.ts";
