export * from "./game.ts";
export * from "./game-registry.ts";
export { createPong, PONG_DEFAULTS, PADDLE_HEIGHT, type PongOptions, type PongState } from "./games/pong.ts";
export { createTictactoe, TICTACTOE_DEFAULTS, type TictactoeOptions, type TictactoeState } from "./games/tictactoe.ts";
export { Room, type RoomPort, type SeatState } from "./room.ts";
export { TickScheduler, type Tickable } from "./tick-scheduler.ts";
export { RoomManager, type RoomManagerOptions } from "./room-manager.ts";
export { StreamStats, microsecondHistogram, type StreamSnapshot, type StreamCounters } from "./stream-stats.ts";
export { cachedChild } from "./metrics.ts";
