import type { Seat } from "../../protocol/index.ts";

/** What the page gives a game's renderer. */
export interface RendererContext<Input> {
  /** The seat this page plays, or undefined while it watches a match or plays back a replay. */
  readonly seat: Seat | undefined;
  /** Sends an input and waits for its answer (a move); a refusal is shown on the page. */
  send(input: Input): void;
  /** Sends an input without an answer (frequent real-time inputs: the next states show them). */
  sendFast(input: Input): void;
  /** The line under the view: whose turn it is, the score. */
  status(text: string): void;
  /** The server's clock (epoch ms), for the deadlines a view carries. */
  now(): number;
}

/** A mounted view of one match: draws each state, and removes itself (and its listeners). */
export interface MountedView<View> {
  draw(view: View): void;
  destroy(): void;
}

/**
 * A game's browser renderer: the default export of the module its definition names in `renderer`.
 * The page mounts it for a match it plays, watches or replays.
 */
export interface GameRenderer<Input = any, View = any> {
  /** One line of help under the view (which keys to press). */
  readonly help?: string;
  /** How the page names a seat to its player: "You play X". */
  describeSeat?(seat: Seat): string;
  mount(root: HTMLElement, context: RendererContext<Input>): MountedView<View>;
}

/** Declares a renderer, typed by the game's input and view. */
export function defineRenderer<Input, View>(renderer: GameRenderer<Input, View>): GameRenderer<Input, View> {
  return renderer;
}
