import type {
  MatchCancelled,
  MatchEnd,
  MatchFound,
  MatchMoving,
  MatchStart,
  StatePayload,
  ChatMessage,
  LobbyMessage,
  Challenge,
  ChallengeRef,
  RematchOffered,
  Announcement,
} from "../../protocol/index.ts";
import type { PlayableGame, StateEncoding } from "../../protocol/index.ts";
import type { RegionLatencies } from "./latency.ts";
import type { NetcodeOptions } from "./match-netcode.ts";

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "disconnected" | "replaced";

/**
 * The types of a game as a client plays it: its input and its state view. A game's folder gives
 * them (`GameTypes<typeof myGame>`); without them, both are unknown.
 */
export interface PlayTypes {
  input: unknown;
  view: unknown;
}

/** Everything the application can listen to; `G` types the game's states and inputs. */
export interface ArenaClientEvents<G extends PlayTypes = PlayTypes> {
  status: (status: ConnectionStatus, detail?: string) => void;
  found: (found: MatchFound) => void;
  cancelled: (cancelled: MatchCancelled) => void;
  start: (start: MatchStart<G["view"]>) => void;
  resumed: (resumed: MatchStart<G["view"]>) => void;
  /** The match's host drains for a deploy: the client moves to `host` and gets `resumed` there. */
  moving: (moving: MatchMoving) => void;
  state: (state: StatePayload<G["view"]>) => void;
  end: (end: MatchEnd) => void;
  chat: (message: ChatMessage) => void;
  announcement: (announcement: Announcement) => void;
  rtt: (ms: number) => void;
  /** The server's clock was measured again (`time:sync`): its offset from this client's (ms). */
  clock: (offsetMs: number) => void;
  /** The round trips to the regions, measured before queueing. */
  latencies: (latencies: RegionLatencies) => void;
  /** The client moved to its match's host (`match:found.host.url`): a new connection there took over the session. */
  moved: (url: string) => void;
  /** A line of the game's lobby chat. */
  lobbyChat: (message: LobbyMessage) => void;
  /** A direct message to this player. */
  dm: (message: LobbyMessage) => void;
  /** Someone challenges this player: answer with `answerChallenge` before `expiresAt`. */
  challenge: (challenge: Challenge) => void;
  /** A challenge this player sent was declined, or expired unanswered. */
  challengeDeclined: (ref: ChallengeRef) => void;
  challengeExpired: (ref: ChallengeRef) => void;
  /** The opponent of a match that just ended asks for a rematch (`rematch(matchId)` to accept). */
  rematchOffered: (offer: RematchOffered) => void;
}

export interface ConnectOptions {
  url: string;
  /**
   * The game: its definition (`import pong from ".../pong"`: its rules predict this client's inputs,
   * and its types flow to inputs and states), or only its name (its namespace).
   */
  game: string | PlayableGame;
  token: string;
  /**
   * Called for a new token shortly before this one expires (its `exp`), and when the server refuses
   * it (`UNAUTHORIZED`): the connection then tries again with the new one.
   */
  refreshToken?: () => string | Promise<string>;
  /**
   * How states come (PROTOCOL.md, Compact state). Default: "compact" when the game's definition is
   * given and says its wire fields rebuild every view (`netcode.wireComplete`), else "json".
   */
  encoding?: StateEncoding;
  /** Fall back to HTTP long-polling when WebSocket cannot connect (default true). */
  longPolling?: boolean;
  /** This client's clock (default `Date.now`): the server's is estimated from it with `time:sync`. */
  clock?: () => number;
  /** Interpolation and prediction (`client.frame()`). */
  netcode?: NetcodeOptions;
  /** Send `match:ready` by itself on `match:found` (default false). */
  autoReady?: boolean;
  /** Reconnect with backoff after a lost connection (default true). */
  reconnect?: boolean;
  /** Milliseconds to wait for an ack (default 10 s). */
  ackTimeoutMs?: number;
  /** Move to the match's host when `match:found` names another node's URL (default true). */
  followHost?: boolean;
}
