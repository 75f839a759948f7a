import { z } from "zod";

/** The payloads the server sends, as schemas: their types below are derived from them, and tests check real payloads against them. */

const seat = z.union([z.literal(0), z.literal(1)]);

export const playerInfoSchema = z.object({ playerId: z.string(), name: z.string(), rating: z.number() });
export type PlayerInfo = z.infer<typeof playerInfoSchema>;

/** The node that hosts a match: a client elsewhere may move to `url` (same namespace, same token) to play there. */
export const hostInfoSchema = z.object({ node: z.string(), url: z.string().optional(), region: z.string() });
export type HostInfo = z.infer<typeof hostInfoSchema>;

/** How good a pairing is: seat 0's predicted chance to win, the rating gap, and how long this player waited. */
export const matchQualitySchema = z.object({ winChance: z.number().min(0).max(1), ratingGap: z.number().min(0), waitedMs: z.number().min(0) });
export type MatchQuality = z.infer<typeof matchQualitySchema>;

export const matchFoundSchema = z.object({
  matchId: z.string(),
  game: z.string(),
  mode: z.string(),
  seat,
  players: z.array(playerInfoSchema),
  /** Epoch milliseconds. */
  readyBy: z.number(),
  host: hostInfoSchema,
  quality: matchQualitySchema,
});
export type MatchFound = z.infer<typeof matchFoundSchema>;

export const cancelReasonSchema = z.enum(["ready_timeout", "opponent_left"]);
export type CancelReason = z.infer<typeof cancelReasonSchema>;
export const matchCancelledSchema = z.object({ matchId: z.string(), reason: cancelReasonSchema, requeued: z.boolean() });
export type MatchCancelled = z.infer<typeof matchCancelledSchema>;

/** Per seat, the highest input `seq` applied so far (0 before any): what a predicting client replays after. */
export const inputSeqSchema = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

/**
 * `ackEvery`: the client sends `state:ack` for every state whose tick is a multiple of it.
 * `tickZeroAt`: the server time (epoch ms) of tick 0 (tick T at `tickZeroAt + T * 1000 / tickRate`).
 * `ref`: the match's number on this connection, which compact states carry.
 */
export const matchStartSchema = z.object({
  matchId: z.string(),
  seat,
  tickRate: z.number().int(),
  ackEvery: z.number().int().min(1),
  tick: z.number().int(),
  state: z.unknown(),
  inputSeq: inputSeqSchema,
  tickZeroAt: z.number(),
  ref: z.number().int().min(0),
});
/** `match:start` and `match:resumed`; `S` is the game's state (`GameView`). */
export type MatchStart<S = unknown> = Omit<z.infer<typeof matchStartSchema>, "state"> & { state: S; host?: HostInfo };

/** `match:resumed`: `match:start` with the host, so that a client on another node can move there. */
export const matchResumedSchema = matchStartSchema.extend({ host: hostInfoSchema });

/** `match:moving`: the match's host is draining for a deploy; the match goes on at `host`, where the client gets `match:resumed`. */
export const matchMovingSchema = z.object({ matchId: z.string(), host: hostInfoSchema });
export type MatchMoving = z.infer<typeof matchMovingSchema>;

export const statePayloadSchema = z.object({ matchId: z.string(), tick: z.number().int().min(0), state: z.unknown(), inputSeq: inputSeqSchema });
/** One `state`; `S` is the game's state (`GameView`). */
export type StatePayload<S = unknown> = Omit<z.infer<typeof statePayloadSchema>, "state"> & { state: S };
/** A compact `state` (`[ref, tick, mask, v...]`, PROTOCOL.md, Compact state). */
export const compactStateSchema = z.array(z.number().int()).min(3);

export const endReasonSchema = z.enum(["win", "draw", "forfeit", "abandoned", "aborted", "time"]);
export type EndReason = z.infer<typeof endReasonSchema>;
export const matchEndSchema = z.object({
  matchId: z.string(),
  reason: endReasonSchema,
  winner: z.string().nullable(),
  ratings: z.record(z.string(), z.number()),
});
export type MatchEnd = z.infer<typeof matchEndSchema>;

export const chatMessageSchema = z.object({ matchId: z.string(), from: z.string(), name: z.string(), text: z.string(), at: z.number() });
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const announcementSchema = z.object({ text: z.string(), at: z.number() });
export type Announcement = z.infer<typeof announcementSchema>;

export const statsAnswerSchema = z.object({
  queued: z.number().int(),
  matches: z.number().int(),
  players: z.number().int(),
  /** How long the game's last paired players waited (up to 200 of them): an estimate a client can show. */
  timeToMatch: z.object({ p50Ms: z.number(), p95Ms: z.number(), samples: z.number().int() }).optional(),
});
export type StatsAnswer = z.infer<typeof statsAnswerSchema>;

export const lobbyStatusSchema = z.enum(["idle", "queued", "playing"]);
export type LobbyStatus = z.infer<typeof lobbyStatusSchema>;
export const lobbyPlayerSchema = z.object({ playerId: z.string(), name: z.string(), status: lobbyStatusSchema });
export type LobbyPlayer = z.infer<typeof lobbyPlayerSchema>;
/** `lobby:list`'s answer: a page of who is online, how many are, and the cursor of the next page. */
export const lobbyPageSchema = z.object({ players: z.array(lobbyPlayerSchema), total: z.number().int().min(0), next: z.string().optional() });
export type LobbyPage = z.infer<typeof lobbyPageSchema>;

/** `lobby:chat` and `dm`. */
export const lobbyMessageSchema = z.object({ from: z.string(), name: z.string(), text: z.string(), at: z.number() });
export type LobbyMessage = z.infer<typeof lobbyMessageSchema>;

export const challengeSchema = z.object({
  challengeId: z.string(),
  from: z.string(),
  name: z.string(),
  rating: z.number(),
  mode: z.string(),
  /** Epoch milliseconds. */
  expiresAt: z.number(),
});
export type Challenge = z.infer<typeof challengeSchema>;
/** `challenge:declined` and `challenge:expired`. */
export const challengeRefSchema = z.object({ challengeId: z.string() });
export type ChallengeRef = z.infer<typeof challengeRefSchema>;
export const rematchOfferedSchema = z.object({ matchId: z.string(), from: z.string() });
export type RematchOffered = z.infer<typeof rematchOfferedSchema>;

/** `match:spectate`'s answer: the match as it stands; `state` events follow, unacknowledged. */
export const spectateAnswerSchema = z.object({
  tickRate: z.number().int(),
  tick: z.number().int(),
  state: z.unknown(),
  players: z.array(playerInfoSchema),
  ref: z.number().int().min(0),
});
export type SpectateAnswer = z.infer<typeof spectateAnswerSchema>;

/** HTTP `GET /v1/matches`: a running match. */
export const liveMatchSchema = z.object({
  matchId: z.string(),
  game: z.string(),
  mode: z.string(),
  players: z.array(playerInfoSchema),
  startedAt: z.number(),
  spectators: z.number().int().min(0),
});
export type LiveMatch = z.infer<typeof liveMatchSchema>;

/** One applied input of a finished match: feeding them to the game's rules at their ticks replays it. */
export const replayInputSchema = z.object({ tick: z.number().int().min(1), seat, input: z.unknown() });
export type ReplayInput = z.infer<typeof replayInputSchema>;
/** HTTP `GET /v1/matches/:matchId/replay`. */
export const replaySchema = z.object({
  matchId: z.string(),
  game: z.string(),
  mode: z.string(),
  seed: z.number().int(),
  tickRate: z.number().int(),
  /** The game's options as the server ran it (points to win, ball speed, move clock...). */
  rules: z.record(z.string(), z.unknown()).optional(),
  players: z.array(playerInfoSchema),
  inputs: z.array(replayInputSchema),
  /** The match applied more inputs than a replay keeps (`inputs` holds the first ones). */
  truncated: z.boolean().optional(),
  end: z.object({ reason: endReasonSchema, winner: z.string().nullable(), tick: z.number().int() }),
});
export type Replay = z.infer<typeof replaySchema>;

/** HTTP `GET /v1/players/:playerId/matches`: one of the player's last 20 matches. */
export const historyEntrySchema = z.object({
  matchId: z.string(),
  mode: z.string(),
  opponent: z.object({ playerId: z.string(), name: z.string() }),
  result: z.enum(["win", "loss", "draw", "aborted"]),
  ratingAfter: z.number(),
  endedAt: z.number(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** HTTP `GET /v1/leaderboard`: one row. */
export const leaderboardEntrySchema = z.object({
  rank: z.number().int().min(1),
  playerId: z.string(),
  name: z.string(),
  rating: z.number(),
  matches: z.number().int(),
});
export type LeaderboardEntry = z.infer<typeof leaderboardEntrySchema>;

/** HTTP: the answer of `POST /v1/guest`. */
export const guestTokenSchema = z.object({ playerId: z.string(), name: z.string(), token: z.string() });
export type GuestToken = z.infer<typeof guestTokenSchema>;

/** HTTP: one entry of `GET /v1/games`. */
export const gameInfoSchema = z.object({ name: z.string(), namespace: z.string(), tickRate: z.number() }).catchall(z.unknown());
export type GameInfo = z.infer<typeof gameInfoSchema>;

/** The schema of each server event's payload. */
export const serverEventSchemas = {
  "match:found": matchFoundSchema,
  "match:cancelled": matchCancelledSchema,
  "match:start": matchStartSchema,
  state: z.union([statePayloadSchema, compactStateSchema]),
  "match:resumed": matchResumedSchema,
  "match:moving": matchMovingSchema,
  "match:end": matchEndSchema,
  chat: chatMessageSchema,
  announcement: announcementSchema,
  "session:replaced": z.object({}),
  "lobby:chat": lobbyMessageSchema,
  dm: lobbyMessageSchema,
  challenge: challengeSchema,
  "challenge:declined": challengeRefSchema,
  "challenge:expired": challengeRefSchema,
  "rematch:offered": rematchOfferedSchema,
} as const;

/** One entry of `GET /v1/regions`: a region matches are hosted in, and a URL whose `GET /v1/ping` a client can time. */
export interface RegionInfo {
  region: string;
  url: string;
}
