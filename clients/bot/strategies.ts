import { TICTACTOE_LINES, type PongInput, type PongView, type TictactoeView } from "../../protocol/index.ts";

/** What a bot does each time it sees the state. Pure functions, so they are easy to test. */

type Cell = TictactoeView["board"][number];
/** What pong's bot reads of a `PongView` (a load generator may decode no more than this). */
export type PongSight = { ball: Pick<PongView["ball"], "y">; paddles: readonly number[] };

/** Pong: follow the ball with the paddle (-1 up, 0 stay, 1 down). */
export function pongDirection(state: PongSight, seat: 0 | 1): PongInput["dir"] {
  const diff = state.ball.y - (state.paddles[seat] ?? 0.5);
  if (Math.abs(diff) < 0.03) return 0;
  return diff > 0 ? 1 : -1;
}

function completing(board: Cell[], who: 0 | 1): number | undefined {
  for (const line of TICTACTOE_LINES) {
    const mine = line.filter((c) => board[c] === who).length;
    const empty = line.filter((c) => board[c] === null);
    if (mine === 2 && empty.length === 1) return empty[0];
  }
  return undefined;
}

/** Tictactoe: win if possible, else block, else the centre, else a random free cell. */
export function tictactoeCell(board: Cell[], seat: 0 | 1, random: () => number = Math.random): number | undefined {
  const win = completing(board, seat);
  if (win !== undefined) return win;
  const block = completing(board, seat === 0 ? 1 : 0);
  if (block !== undefined) return block;
  if (board[4] === null) return 4;
  const free = board.map((c, i) => (c === null ? i : -1)).filter((i) => i >= 0);
  return free.length ? free[Math.floor(random() * free.length)] : undefined;
}
