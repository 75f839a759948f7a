export * from "./types.ts";
export { HISTORY_TTL_MS } from "./store.ts";
export type { MatchArchive, WatchStore } from "./store.ts";
export type {
  Adoption,
  EndStamps,
  Finished,
  FinishOutcome,
  MatchEnding,
  MatchResult,
  MatchmakingStore,
  MatchSnapshotEntry,
  SessionStore,
  QueueStore,
  MatchStore,
  RatingStore,
} from "./store.ts";
export { memoryStore } from "./memory-store.ts";
export { redisStore } from "./redis-store.ts";
export { chanceWindow, logit, pairingDistance, ratingWindow, reach } from "./rating-window.ts";
export { elo, openSkill, OPENSKILL_DEFAULTS, type OpenSkillScale, type RatingSystem, type RatingSystemName } from "./rating-system.ts";
export { eloUpdate, expectedScore } from "./elo.ts";
export { Matchmaker, type MatchmakerOptions, type Seeker } from "./matchmaker.ts";
export { Lobby, type LobbyActor, type LobbyOptions } from "./lobby.ts";
export type { Delivery, MatchGroup, PlayerChannel, SpectatorGroup } from "./player-channel.ts";
