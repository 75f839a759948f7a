export * from "./game-registry.ts";
