import type { ErrorBody } from "./errors.ts";

export type PlayerId = string;
export type MatchId = string;
export type Seat = 0 | 1;

/** Every ack is one of these two shapes. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
export type AckCallback<T extends object = object> = (answer: Ack<T>) => void;

export interface QueueJoinPayload {
  mode?: string;
}
export interface QueueLeavePayload {
  [key: string]: never;
}
export interface MatchRefPayload {
  matchId: MatchId;
}
export interface GameInputPayload {
  matchId: MatchId;
  seq: number;
  input: unknown;
}
/** Acknowledges every state of the match up to `tick`. */
export interface StateAckPayload {
  matchId: MatchId;
  tick: number;
}
export interface ChatSendPayload {
  matchId: MatchId;
  text: string;
}
export interface EmptyPayload {
  [key: string]: never;
}

export interface PlayerInfo {
  playerId: PlayerId;
  name: string;
  rating: number;
}

export interface MatchFound {
  matchId: MatchId;
  game: string;
  seat: Seat;
  players: PlayerInfo[];
  /** Epoch milliseconds. */
  readyBy: number;
}

export type CancelReason = "ready_timeout" | "opponent_left";
export interface MatchCancelled {
  matchId: MatchId;
  reason: CancelReason;
  requeued: boolean;
}

/** `ackEvery`: the client sends `state:ack` for every state whose tick is a multiple of it. */
export interface MatchStart {
  matchId: MatchId;
  seat: Seat;
  tickRate: number;
  ackEvery: number;
  tick: number;
  state: unknown;
}
export interface StatePayload {
  matchId: MatchId;
  tick: number;
  state: unknown;
}
export type EndReason = "win" | "draw" | "forfeit" | "abandoned" | "aborted";
export interface MatchEnd {
  matchId: MatchId;
  reason: EndReason;
  winner: PlayerId | null;
  ratings: Record<PlayerId, number>;
}
export interface ChatMessage {
  matchId: MatchId;
  from: PlayerId;
  name: string;
  text: string;
  at: number;
}
export interface Announcement {
  text: string;
  at: number;
}

export interface StatsAnswer {
  queued: number;
  matches: number;
  players: number;
}

/**
 * Events a client sends. Every one takes an ack, except `state:ack` (never answered) and
 * `game:input`, which may come without one (fire and forget).
 */
export interface ClientToServerEvents {
  "queue:join": (payload: QueueJoinPayload, ack: AckCallback<{ ticketId: string }>) => void;
  "queue:leave": (payload: QueueLeavePayload, ack: AckCallback<{ cancelled: boolean }>) => void;
  "match:ready": (payload: MatchRefPayload, ack: AckCallback) => void;
  "game:input": (payload: GameInputPayload, ack?: AckCallback<{ tick: number }>) => void;
  "match:leave": (payload: MatchRefPayload, ack: AckCallback) => void;
  "chat:send": (payload: ChatSendPayload, ack: AckCallback) => void;
  stats: (payload: EmptyPayload, ack: AckCallback<StatsAnswer>) => void;
  "state:ack": (payload: StateAckPayload) => void;
}

/** Events the server sends. `state` is acknowledged with the `state:ack` event, not an ack callback. */
export interface ServerToClientEvents {
  "match:found": (payload: MatchFound) => void;
  "match:cancelled": (payload: MatchCancelled) => void;
  "match:start": (payload: MatchStart) => void;
  state: (payload: StatePayload) => void;
  "match:resumed": (payload: MatchStart) => void;
  "match:end": (payload: MatchEnd) => void;
  chat: (payload: ChatMessage) => void;
  announcement: (payload: Announcement) => void;
  "session:replaced": (payload: Record<string, never>) => void;
}

/** Events between server nodes (through the Redis adapter). */
export interface InterServerEvents {
  /** A player's newer connection (higher generation) was made on another node. */
  "session:takeover": (payload: { playerId: PlayerId; generation: number }) => void;
  /** An event for a player connected to another node (the player channel's hop). */
  "player:event": (payload: { playerId: PlayerId; event: keyof ServerToClientEvents; payload: unknown }) => void;
}

/** What the server keeps on each socket after the handshake. */
export interface SocketData {
  playerId: PlayerId;
  name: string;
  game: string;
  /** Increases with every connection of any player, across all nodes: the newest connection wins. */
  generation: number;
}

/** Names of the client events, for runtime checks. */
export const CLIENT_EVENTS = [
  "queue:join",
  "queue:leave",
  "match:ready",
  "game:input",
  "match:leave",
  "chat:send",
  "stats",
  "state:ack",
] as const satisfies readonly (keyof ClientToServerEvents)[];

export type ClientEventName = (typeof CLIENT_EVENTS)[number];

/** HTTP: the answer of `POST /v1/guest`. */
export interface GuestToken {
  playerId: PlayerId;
  name: string;
  token: string;
}
/** HTTP: one entry of `GET /v1/games`. */
export interface GameInfo {
  name: string;
  namespace: string;
  tickRate: number;
  [extra: string]: unknown;
}
