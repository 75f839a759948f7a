import type { Seat } from "./events.ts";

/**
 * What a client needs of a game's rules to run them itself: the same deterministic `apply` and
 * `step` the server runs, and the game's netcode hooks. A `defineGame` value's `create` returns a
 * superset of this, so a client takes the game's own definition: prediction is the game's rules,
 * not a copy of them.
 */
export interface PlayableRules<State = any, Input = any, View = any> {
  readonly tickRate: number;
  readonly kind: "realtime" | "turns";
  /** The compact encoding's fields (without `inputSeq`). */
  readonly wire?: readonly { name: string; scale: number }[];
  apply(state: State, seat: Seat, input: Input, tick: number): boolean | void;
  step(state: State, tick: number): boolean;
  view(state: State, clock: { epochOfTick(tick: number): number }, seat?: Seat): View;
  readonly netcode?: GameNetcode<State, Input, View>;
}

/** A game as a client takes it: its name, its settings' schema, and the rules it makes from them. */
export interface PlayableGame<Settings = any, State = any, Input = any, View = any> {
  readonly name: string;
  readonly settings?: { schema: { parse(values: unknown): Settings } };
  create(settings: Settings): PlayableRules<State, Input, View>;
}

/** The input and view types of a game a client plays (`connect({ game: pong })` infers them). */
export type PlayableTypes<D> = D extends PlayableGame<any, any, infer Input, infer View> ? { input: Input; view: View } : never;

/**
 * A game's client-side hooks (all optional). Without `fromView` nothing is predicted: states are
 * interpolated (real time) or shown as they come (turns).
 */
export interface GameNetcode<State = any, Input = any, View = any> {
  /**
   * The state the rules step from, rebuilt from an authoritative view at `tick`: the parts a view does
   * not show take what the seat's last applied input (`lastInput`, undefined before any) set, or
   * neutral values. Prediction steps it forward with the pending inputs.
   */
  fromView?(view: View, seat: Seat, lastInput: Input | undefined, tick: number): State;
  /**
   * What the local seat controls: `shown` (the interpolated view) with the parts `seat` controls
   * taken from `predicted` (pong: its paddle). Without it, a predicted game shows `predicted` whole
   * (turns: a move shows before the server answers, and rolls back on `ILLEGAL_MOVE`).
   */
  own?(shown: View, predicted: View, seat: Seat): View;
  /** The view between `a` and `b` at `t` (0..1, a little beyond when extrapolating). Default: numbers linearly, the rest stepped. */
  interpolate?(a: View, b: View, t: number): View;
  /**
   * A view decoded from a compact state, completed: the compact fields are set, anything the game
   * derives from them (connect-four's board from its column codes) is the game's to fill in.
   */
  fromWire?(view: View): View;
  /**
   * The wire fields (with `fromWire`) rebuild every view, to their scales: a client that has the
   * game's definition then takes compact states by default. The conformance suite checks the claim.
   */
  wireComplete?: boolean;
}
