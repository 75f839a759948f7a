import { CLIENT_EVENTS, type ClientEventName } from "./event-names.ts";
import type {
  ChallengeAnswerPayload,
  ChallengeSendPayload,
  DmSendPayload,
  LobbyChatPayload,
  LobbyListPayload,
  PrivateCreatePayload,
  PrivateJoinPayload,
  ChatSendPayload,
  EmptyPayload,
  GameInputPayload,
  MatchRefPayload,
  QueueJoinPayload,
  QueueLeavePayload,
  StateAckPayload,
  TimeSyncPayload,
} from "./client-payloads.ts";
import type { StateEncoding } from "./compact-state.ts";
import type { ErrorBody } from "./errors.ts";
import type {
  Announcement,
  Challenge,
  ChallengeRef,
  ChatMessage,
  LobbyMessage,
  LobbyPage,
  MatchCancelled,
  MatchEnd,
  MatchFound,
  MatchMoving,
  MatchStart,
  RematchOffered,
  SpectateAnswer,
  StatePayload,
  StatsAnswer,
} from "./server-payloads.ts";

export type PlayerId = string;
export type MatchId = string;
export type Seat = 0 | 1;

/** Every ack is one of these two shapes. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
export type AckCallback<T extends object = object> = (answer: Ack<T>) => void;

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
  "lobby:list": (payload: LobbyListPayload, ack: AckCallback<LobbyPage>) => void;
  "lobby:chat": (payload: LobbyChatPayload, ack: AckCallback) => void;
  "dm:send": (payload: DmSendPayload, ack: AckCallback) => void;
  "challenge:send": (payload: ChallengeSendPayload, ack: AckCallback<{ challengeId: string }>) => void;
  "challenge:answer": (payload: ChallengeAnswerPayload, ack: AckCallback) => void;
  "private:create": (payload: PrivateCreatePayload, ack: AckCallback<{ code: string }>) => void;
  "private:join": (payload: PrivateJoinPayload, ack: AckCallback) => void;
  "match:rematch": (payload: MatchRefPayload, ack: AckCallback<{ waiting: boolean }>) => void;
  "match:spectate": (payload: MatchRefPayload, ack: AckCallback<SpectateAnswer>) => void;
  "match:unspectate": (payload: MatchRefPayload, ack: AckCallback) => void;
  "time:sync": (payload: TimeSyncPayload, ack: AckCallback<{ clientTime: number; serverTime: number }>) => void;
}

/** Events the server sends. `state` is acknowledged with the `state:ack` event, not an ack callback. */
export interface ServerToClientEvents {
  "match:found": (payload: MatchFound) => void;
  "match:cancelled": (payload: MatchCancelled) => void;
  "match:start": (payload: MatchStart) => void;
  /** The object form; a compact connection gets `CompactState` arrays instead (`compact-state.ts`). */
  state: (payload: StatePayload) => void;
  "match:resumed": (payload: MatchStart) => void;
  "match:moving": (payload: MatchMoving) => void;
  "match:end": (payload: MatchEnd) => void;
  chat: (payload: ChatMessage) => void;
  announcement: (payload: Announcement) => void;
  "session:replaced": (payload: Record<string, never>) => void;
  "lobby:chat": (payload: LobbyMessage) => void;
  dm: (payload: LobbyMessage) => void;
  challenge: (payload: Challenge) => void;
  "challenge:declined": (payload: ChallengeRef) => void;
  "challenge:expired": (payload: ChallengeRef) => void;
  "rematch:offered": (payload: RematchOffered) => void;
}

/**
 * Events between server nodes through the Socket.IO adapter: none. Nodes talk through the relay
 * (`NodeRelay`), each message to the one node it concerns.
 */
export type InterServerEvents = Record<never, never>;

/** What the server keeps on each socket after the handshake. */
export interface SocketData {
  playerId: PlayerId;
  name: string;
  game: string;
  /** Increases with every connection of any player, across all nodes: the newest connection wins. */
  generation: number;
  /** How this connection gets its states (`auth.encoding`). */
  encoding: StateEncoding;
  /** The match this connection plays or last played, once told its start (compact acks name it by ref 0). */
  playing?: MatchId;
}

export { CLIENT_EVENTS, type ClientEventName } from "./event-names.ts";
// Every name listed is an event of the contract.
CLIENT_EVENTS satisfies readonly (keyof ClientToServerEvents)[];

/** Events answered through an ack: all but `state:ack`. */
export type AnsweredEventName = Exclude<ClientEventName, "state:ack">;

/** The success data of an event's ack (without `ok`). */
export type AckData<E extends AnsweredEventName> = NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends AckCallback<infer T> ? T : never;

/** The payload a client sends with an event. */
export type ClientPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
