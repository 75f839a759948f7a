import type { LobbyPage, PlayableGame, PlayableTypes, SpectateAnswer, StatsAnswer } from "../../protocol/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { ArenaClientError } from "./errors.ts";
import { measureLatencies, type RegionLatencies } from "./latency.ts";

/** Latencies measured before queueing are measured again after this long. */
const LATENCY_MAX_AGE_MS = 60_000;

import { ArenaConnection } from "./connection.ts";
import type { ConnectOptions, PlayTypes } from "./client-types.ts";

export type { ArenaClientEvents, ConnectionStatus, ConnectOptions, PlayTypes } from "./client-types.ts";

/**
 * The Arena client a game uses: queueing, the ready check, inputs, chat, the lobby, challenges,
 * private codes, watching and rematches, on its connection (`ArenaConnection`).
 */
export class ArenaClient<G extends PlayTypes = PlayTypes> extends ArenaConnection<G> {
  /**
   * Input sequence numbers start from the clock, so that a new client for the same player (a page
   * reload mid-match) keeps counting up: the server ignores numbers it has already seen.
   */
  private seq = Date.now() * 1000;

  /** The round trips to the deployment's regions measured before the last `queue()` (ms). */
  latencies: RegionLatencies = {};
  private latenciesAt = -Infinity;

  /**
   * Joins the game's queue; resolves with the ticket id. The latencies to the regions go with it:
   * measured first (`GET /v1/regions`, then each region's `GET /v1/ping`; again after a minute),
   * or as given, or none with `latencies: false` (the server then counts this player as near the
   * region of the node it is connected to).
   */
  async queue(options: { mode?: string; latencies?: RegionLatencies | false } = {}): Promise<string> {
    let latencies = options.latencies;
    if (latencies === undefined) {
      if (performance.now() - this.latenciesAt > LATENCY_MAX_AGE_MS) {
        this.latencies = await measureLatencies(this.options.url);
        this.latenciesAt = performance.now();
        this.emitLocal("latencies", this.latencies);
      }
      latencies = this.latencies;
    }
    const payload = { ...(options.mode ? { mode: options.mode } : {}), ...(latencies && Object.keys(latencies).length ? { latencies } : {}) };
    return (await this.request("queue:join", payload)).ticketId;
  }

  /** Leaves the queue (or the ready check); resolves whether something was cancelled. */
  async leave(): Promise<boolean> {
    return (await this.request("queue:leave", {})).cancelled;
  }

  /** Sends a game input with the next sequence number; resolves with the tick that applied it. */
  async input(input: G["input"]): Promise<number> {
    if (!this.matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "not in a match");
    const seq = ++this.seq;
    const netcode = this.matches.playing;
    netcode?.input(seq, input);
    try {
      return (await this.request("game:input", { matchId: this.matchId, seq, input })).tick;
    } catch (error) {
      // Refused (an illegal move, not this seat's turn): the prediction takes it back.
      netcode?.refuse(seq);
      throw error;
    }
  }

  /**
   * Sends a game input without asking for an answer (fire and forget): for inputs at a high rate.
   * It applies like `input`; the next states show it. Returns false when not in a match.
   */
  sendInput(input: G["input"]): boolean {
    if (!this.matchId) return false;
    const seq = ++this.seq;
    this.matches.playing?.input(seq, input);
    this.socket.emit("game:input", { matchId: this.matchId, seq, input });
    return true;
  }

  /** Forfeits the running match. */
  async forfeit(): Promise<void> {
    if (!this.matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "not in a match");
    await this.request("match:leave", { matchId: this.matchId });
  }

  async chat(text: string): Promise<void> {
    if (!this.matchId) throw new ArenaClientError(ErrorCode.NOT_IN_MATCH, "not in a match");
    await this.request("chat:send", { matchId: this.matchId, text });
  }

  async stats(): Promise<StatsAnswer> {
    return this.request("stats", {});
  }

  /** One page of who is online in this game (pass the previous page's `next` for the following one). */
  async lobby(options: { cursor?: string; limit?: number } = {}): Promise<LobbyPage> {
    return this.request("lobby:list", options);
  }

  /** A line to everyone online in this game. */
  async lobbyChat(text: string): Promise<void> {
    await this.request("lobby:chat", { text });
  }

  /** A direct message to one online player. */
  async dm(to: string, text: string): Promise<void> {
    await this.request("dm:send", { to, text });
  }

  /** Challenges an online player; resolves with the challenge's id. Accepted, it brings `found` like a pairing. */
  async challenge(to: string, options: { mode?: string } = {}): Promise<string> {
    return (await this.request("challenge:send", options.mode ? { to, mode: options.mode } : { to })).challengeId;
  }

  async answerChallenge(challengeId: string, accept: boolean): Promise<void> {
    await this.request("challenge:answer", { challengeId, accept });
  }

  /** A private match code for one friend (valid 10 minutes). */
  async createPrivate(options: { mode?: string } = {}): Promise<string> {
    return (await this.request("private:create", options.mode ? { mode: options.mode } : {})).code;
  }

  /** Joins a friend's private code: both get `found`. */
  async joinPrivate(code: string): Promise<void> {
    await this.request("private:join", { code });
  }

  /**
   * Watches a running match (on any node): resolves with the match as it stands; its states then
   * come as `state` events (not acknowledged), and its end as `end`.
   */
  async spectate(matchId: string): Promise<SpectateAnswer> {
    const answer = await this.request("match:spectate", { matchId });
    this.matches.watch(matchId, answer);
    return answer;
  }

  async unspectate(matchId: string): Promise<void> {
    await this.request("match:unspectate", { matchId });
    this.matches.unwatch(matchId, this.matchId);
  }

  /** Asks for a rematch of a match that ended within 30 s; resolves whether it waits for the opponent. */
  async rematch(matchId: string): Promise<boolean> {
    return (await this.request("match:rematch", { matchId })).waiting;
  }
}

/**
 * Connects to a game; wait on `client.connected()` for the handshake's outcome. Given the game's
 * definition (`game: pong`), its input and view types flow to the client; given only a name, they
 * are the type parameter's.
 */
export function connect<D extends PlayableGame>(options: ConnectOptions & { game: D }): ArenaClient<PlayableTypes<D>>;
export function connect<G extends PlayTypes = PlayTypes>(options: ConnectOptions): ArenaClient<G>;
export function connect(options: ConnectOptions): ArenaClient<PlayTypes> {
  return new ArenaClient(options);
}
