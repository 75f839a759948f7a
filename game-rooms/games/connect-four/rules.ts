import { ArenaError, ErrorCode, type Seat } from "../../../protocol/index.ts";
import type { GameRules } from "../game-module.ts";
import { wireList } from "../wire.ts";
import { COLUMNS, ROWS, boardFromColumns, columnCodes, landingRow, makesFour, type Cell } from "./board.ts";
import { connectFourInputSchema, connectFourViewSchema, type ConnectFourInput, type ConnectFourView } from "./schema.ts";
import type { ConnectFourSettings } from "./settings.ts";

export interface ConnectFourState {
  board: Cell[];
  turn: Seat;
  /** The tick at which the player to move forfeits. */
  deadlineTick: number;
  winner: Seat | null;
  draw: boolean;
  forfeit: Seat | null;
  changed: boolean;
}

/** Connect four (PROTOCOL.md, Games): seat 0 moves first; four in a row wins; a full board draws; the move clock forfeits. */
export function connectFourRules(settings: ConnectFourSettings): GameRules<ConnectFourState, ConnectFourInput, ConnectFourView> {
  const { tickRate, moveSeconds } = settings;
  const moveTicks = Math.max(1, Math.round(moveSeconds * tickRate));
  const over = (state: ConnectFourState) => state.winner !== null || state.draw || state.forfeit !== null;
  return {
    tickRate,
    modes: ["ranked", "casual"],
    // 42 moves at most, each within the move clock: the clock ends every match before this.
    maxDurationS: Math.ceil(ROWS * COLUMNS * moveSeconds) + 1,
    kind: "turns",
    inputSchema: connectFourInputSchema,
    viewSchema: connectFourViewSchema,
    // The board travels as 7 column codes; the move clock to the second.
    wire: [...wireList("columns", COLUMNS), { name: "turn", scale: 1 }, { name: "moveDeadline", scale: 0.001 }],
    init() {
      return { board: Array<Cell>(ROWS * COLUMNS).fill(null), turn: 0, deadlineTick: moveTicks, winner: null, draw: false, forfeit: null, changed: true };
    },
    apply(state, seat, input, tick) {
      if (over(state)) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "the game is over");
      if (seat !== state.turn) throw new ArenaError(ErrorCode.NOT_YOUR_TURN, "it is not your turn");
      if (input.column < 0 || input.column >= COLUMNS) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "column must be 0 to 6");
      const row = landingRow(state.board, input.column);
      if (row < 0) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "that column is full");
      state.board[row * COLUMNS + input.column] = seat;
      if (makesFour(state.board, row, input.column)) state.winner = seat;
      else if (state.board.every((cell) => cell !== null)) state.draw = true;
      state.turn = seat === 0 ? 1 : 0;
      state.deadlineTick = tick + moveTicks;
      state.changed = true;
    },
    step(state, tick) {
      if (!over(state) && tick >= state.deadlineTick) {
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
      return { board: [...state.board], turn: state.turn, moveDeadline: Math.round(clock.epochOfTick(state.deadlineTick)), columns: columnCodes(state.board) };
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
      fromWire: (view) => ({ ...view, board: boardFromColumns(view.columns) }),
    },
  };
}
