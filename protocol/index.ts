export * from "./version.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./client-payloads.ts";
export * from "./server-payloads.ts";
export * from "./server-events.ts";
export * from "./compact-state.ts";
export * from "./game-netcode.ts";
