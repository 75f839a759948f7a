import { ArenaError, ErrorCode, type Seat } from "../../../protocol/index.ts";
import type { GameRules } from "../game-module.ts";
import { wireList } from "../wire.ts";
import { tictactoeInputSchema, tictactoeViewSchema, type TictactoeInput, type TictactoeView } from "./schema.ts";
import type { TictactoeSettings } from "./settings.ts";

/** The eight lines of three cells: a seat that holds one wins (the rules and the bots both read it). */
export const TICTACTOE_LINES = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
] as const;

export interface TictactoeState {
  board: (Seat | null)[];
  turn: Seat;
  /** The tick at which the player to move forfeits. */
  deadlineTick: number;
  winner: Seat | null;
  draw: boolean;
  forfeit: Seat | null;
  changed: boolean;
}

/** Tic-tac-toe (PROTOCOL.md, Games): seat 0 moves first; three in a row wins; a full board draws. */
export function tictactoeRules(settings: TictactoeSettings): GameRules<TictactoeState, TictactoeInput, TictactoeView> {
  const { tickRate, moveSeconds } = settings;
  const moveTicks = Math.max(1, Math.round(moveSeconds * tickRate));
  return {
    tickRate,
    modes: ["ranked", "casual"],
    // Nine moves at most, each within the move clock: the clock ends every match before this.
    maxDurationS: Math.ceil(9 * moveSeconds) + 1,
    kind: "turns",
    inputSchema: tictactoeInputSchema,
    viewSchema: tictactoeViewSchema,
    // The move clock is epoch ms: a second's resolution is what a player reads of it.
    wire: [...wireList("board", 9), { name: "turn", scale: 1 }, { name: "moveDeadline", scale: 0.001 }],
    init() {
      return { board: Array<Seat | null>(9).fill(null), turn: 0, deadlineTick: moveTicks, winner: null, draw: false, forfeit: null, changed: true };
    },
    apply(state, seat, input, tick) {
      if (state.winner !== null || state.draw || state.forfeit !== null) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "the game is over");
      if (seat !== state.turn) throw new ArenaError(ErrorCode.NOT_YOUR_TURN, "it is not your turn");
      if (input.cell < 0 || input.cell > 8) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "cell must be 0 to 8");
      if (state.board[input.cell] !== null) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "that cell is taken");
      state.board[input.cell] = seat;
      if (TICTACTOE_LINES.some((line) => line.every((cell) => state.board[cell] === seat))) state.winner = seat;
      else if (state.board.every((cell) => cell !== null)) state.draw = true;
      state.turn = seat === 0 ? 1 : 0;
      state.deadlineTick = tick + moveTicks;
      state.changed = true;
    },
    step(state, tick) {
      if (state.winner === null && !state.draw && state.forfeit === null && tick >= state.deadlineTick) {
        state.forfeit = state.turn;
        state.changed = true;
      }
      const changed = state.changed;
      state.changed = false;
      return changed;
    },
    outcome(state) {
      if (state.winner !== null) return { kind: "win", seat: state.winner };
      if (state.draw) return { kind: "draw" };
      if (state.forfeit !== null) return { kind: "forfeit", seat: state.forfeit };
      return { kind: "none" };
    },
    view(state, clock) {
      return { board: [...state.board], turn: state.turn, moveDeadline: Math.round(clock.epochOfTick(state.deadlineTick)) };
    },
    netcode: {
      wireComplete: true,
      // A move shows at once: the rules run from the view (the clock restarts with the move anyway).
      fromView: (view, _seat, _last, tick) => ({
        board: [...view.board],
        turn: view.turn,
        deadlineTick: tick + moveTicks,
        winner: null,
        draw: false,
        forfeit: null,
        changed: false,
      }),
    },
  };
}
