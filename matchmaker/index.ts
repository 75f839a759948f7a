export * from "./types.ts";
export type { Adoption, MatchEnding, MatchmakingStore, MatchSnapshotEntry, SessionStore, QueueStore, MatchStore, RatingStore } from "./store.ts";
export { MemoryStore } from "./memory-store.ts";
export { RedisStore } from "./redis-store.ts";
export { ratingWindow } from "./rating-window.ts";
export { eloUpdate, expectedScore } from "./elo.ts";
export { Matchmaker, type MatchmakerOptions, type Seeker } from "./matchmaker.ts";
export { Lobby, type LobbyActor, type LobbyOptions } from "./lobby.ts";
