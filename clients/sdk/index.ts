export { ArenaClient, connect, type ArenaClientEvents, type ConnectOptions, type ConnectionStatus, type PlayTypes } from "./client.ts";
export { ArenaClientError, ClientErrorCode } from "./errors.ts";
export { fetchGuestToken } from "./guest.ts";
export { fetchHistory, fetchLeaderboard, fetchLiveMatches, fetchReplay } from "./watch.ts";
export { measureLatencies, type RegionLatencies } from "./latency.ts";
