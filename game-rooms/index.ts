export * from "./games/index.ts";
export { builtinGames, loadGames, type LoadedGame } from "./games/load-games.ts";

export * from "./game-registry.ts";
export { Room } from "./room.ts";
export type { RoomPort, SeatState } from "./room-types.ts";
export { TickScheduler, type Tickable } from "./tick-scheduler.ts";
export { RoomManager, type RoomManagerOptions } from "./room-manager.ts";
export { StreamStats, microsecondHistogram, type StreamSnapshot, type StreamCounters } from "./stream-stats.ts";
export { cachedChild } from "./metrics.ts";
export { LeanCounter, type LeanIncrement } from "./lean-counter.ts";
export type { NodeRelay, RelayMessage } from "./node-relay.ts";
