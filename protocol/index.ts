export * from "./version.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./schemas.ts";
export * from "./player-channel.ts";
