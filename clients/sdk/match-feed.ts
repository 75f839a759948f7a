import type { MatchStart, StatePayload } from "../../protocol/index.ts";
import type { ServerClock } from "./clock.ts";
import type { GameSetup } from "./game-setup.ts";
import { MatchNetcode, type NetcodeOptions } from "./match-netcode.ts";
import { StateDecoder } from "./state-decoder.ts";

/**
 * The matches a connection plays and watches, as states reach it: compact states decoded (refs
 * opened by `match:start`, `match:resumed` and `match:spectate`, closed at the end), and each
 * match's netcode fed, for `frame()`.
 */
export class MatchFeed {
  /** The playing match's netcode. Typed loosely so that an `ArenaClient<SomeGame>` still is an `ArenaClient`. */
  playing: MatchNetcode<any, any> | undefined;
  private readonly watched = new Map<string, MatchNetcode<any, any>>();
  private decoder: StateDecoder | undefined;
  private game: GameSetup | undefined;

  constructor(
    private readonly clock: ServerClock,
    private readonly options: NetcodeOptions | undefined,
  ) {}

  /** The game is known: compact states are decoded with its wire fields when `compact`. */
  configure(game: GameSetup, compact: boolean): void {
    this.game = game;
    if (compact && game.fields) this.decoder = new StateDecoder(game.fields, game.rules?.netcode?.fromWire);
  }

  /** Whether the connection asks for compact states. */
  get compact(): boolean {
    return this.decoder !== undefined;
  }

  /** `match:start` or `match:resumed`: ref 0 is the playing match's (a new match replaces the last one's). */
  started(start: MatchStart): void {
    this.decoder?.open(start.ref, start.matchId, start.state);
    this.playing = this.netcode(start, start.seat);
  }

  /** A `state` as an object (a compact one decoded), or undefined when a compact one is dropped. */
  decode(received: unknown): StatePayload | undefined {
    return Array.isArray(received) ? this.decoder?.decode(received) : (received as StatePayload);
  }

  /** Feeds a state to its match's netcode. */
  state(payload: StatePayload, playingMatchId: string | undefined): void {
    if (payload.matchId === playingMatchId) this.playing?.state(payload.tick, payload.state, payload.inputSeq);
    else this.watched.get(payload.matchId)?.state(payload.tick, payload.state, undefined);
  }

  ended(matchId: string): void {
    this.decoder?.close(matchId);
    this.watched.delete(matchId);
  }

  /** Starts following a watched match (the `match:spectate` answer; it has no tickZeroAt: its tick is taken as running now). */
  watch(matchId: string, answer: { ref: number; tick: number; tickRate: number; state: unknown }): void {
    this.decoder?.open(answer.ref, matchId, answer.state);
    const tickZeroAt = this.clock.now() - (answer.tick * 1000) / answer.tickRate;
    this.watched.set(matchId, this.netcode({ ...answer, tickZeroAt }, undefined));
  }

  unwatch(matchId: string, playingMatchId: string | undefined): void {
    this.watched.delete(matchId);
    if (matchId !== playingMatchId) this.decoder?.close(matchId);
  }

  /** The netcode of a match: the playing one's, or a watched one's by id. */
  of(matchId: string | undefined, playingMatchId: string | undefined): MatchNetcode<any, any> | undefined {
    return matchId === undefined || matchId === playingMatchId ? this.playing : this.watched.get(matchId);
  }

  private netcode(start: { tick: number; state: unknown; tickRate: number; tickZeroAt: number; inputSeq?: readonly number[] }, seat: 0 | 1 | undefined) {
    return new MatchNetcode<any, any>(this.clock, this.game?.rules, this.game?.kind ?? "realtime", start, seat, this.options);
  }
}
