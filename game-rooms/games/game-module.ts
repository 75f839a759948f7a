import type { z } from "zod";
import type { GameNetcode, Seat } from "../../protocol/index.ts";
import type { WireField } from "./wire.ts";

/** How a match stands after a tick. */
export type Outcome =
  | { kind: "none" }
  | { kind: "win"; seat: Seat }
  | { kind: "draw" }
  /** `seat` lost on the clock or by the rules; the other seat wins. */
  | { kind: "forfeit"; seat: Seat };

/** Converts ticks of a running room to wall-clock time, for views that show deadlines. */
export interface RoomClock {
  epochOfTick(tick: number): number;
}

/**
 * A game is a module implementing this interface. It is deterministic: the same seed and the same
 * inputs at the same ticks give the same states, so a match can be replayed.
 */
export interface GameModule<State = unknown, Input = unknown, View = unknown> {
  readonly name: string;
  /** Ticks per second, 10 to 120. */
  readonly tickRate: number;
  /**
   * The queue modes the game offers; the first is the default. A mode named `casual` ignores
   * ratings when pairing and never changes them.
   */
  readonly modes: readonly string[];
  /** The options this module was made with (a replay carries them, so a viewer runs the same rules). */
  readonly rules?: Record<string, unknown>;
  /** The longest a match may run (seconds of play): at that tick it ends with reason `time`. */
  readonly maxDurationS: number;
  /** Who wins a match that reached `maxDurationS` (default: a draw). */
  timeUp?(state: State): Outcome;
  /** Real-time games send state every tick; turn-based ones when it changes. */
  readonly kind: "realtime" | "turns";
  /** The input's schema: every input is checked against it at the edge (BAD_REQUEST when it fails). */
  readonly inputSchema: z.ZodType<Input>;
  /** The view's schema (what `view` returns): clients and the conformance suite check states with it. */
  readonly viewSchema?: z.ZodType<View>;
  /**
   * The compact encoding's fields (PROTOCOL.md, Compact state): the numbers of the view, in order,
   * each with its scale. `GET /v1/games` lists them, followed by `inputSeq.0` and `inputSeq.1`.
   */
  readonly wire?: readonly WireField[];
  /**
   * Optional fast path for inputs sent many times a second: checks by hand what `inputSchema` checks
   * (same verdicts) and returns the input, or undefined when the schema would refuse it.
   */
  readInput?(raw: unknown): Input | undefined;
  init(seed: number): State;
  /**
   * A state as a snapshot holds it (parsed JSON, written by this version of the game or an earlier
   * one), in the form `step` expects: another node resumes a match from it. Without it the parsed
   * JSON is the state.
   */
  revive?(saved: unknown): State;
  /**
   * Applies one input of a seat at `tick`; throws ArenaError NOT_YOUR_TURN or ILLEGAL_MOVE without
   * changing the state. Returns false when the input changed nothing (it is then left out of the
   * replay, which must replay the same without it).
   */
  apply(state: State, seat: Seat, input: Input, tick: number): boolean | void;
  /** Advances one tick; returns true when the visible state changed. */
  step(state: State, tick: number): boolean;
  outcome(state: State): Outcome;
  /**
   * Whether each seat sees its own view (hidden information). Shared views go out once per tick to
   * the whole match; per-seat views once per seat.
   */
  readonly viewPerSeat?: boolean;
  /** The state as sent on the wire (PROTOCOL.md, Games); `seat` is given to per-seat games. */
  view(state: State, clock: RoomClock, seat?: Seat): View;
  /**
   * Client-side hooks (PROTOCOL.md v3, prediction support): how a client rebuilds a state from a view
   * to predict its own inputs with these same rules, what its seat controls, how views interpolate,
   * and what a compact state leaves to derive. The server never calls them.
   */
  readonly netcode?: GameNetcode<State, Input, View>;
}

/** A game module with its types erased, as the registry and the rooms hold it. */
export type AnyGame = GameModule<any, any, any>;

/** What a game's `create` returns: the module without its name (the definition names it). */
export type GameRules<State = unknown, Input = unknown, View = unknown> = Omit<GameModule<State, Input, View>, "name">;
