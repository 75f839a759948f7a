import type { Seat } from "../../../protocol/index.ts";
import { TICTACTOE_LINES } from "./rules.ts";
import type { TictactoeInput, TictactoeView } from "./schema.ts";

type Cell = TictactoeView["board"][number];

function completing(board: readonly Cell[], who: Seat): number | undefined {
  for (const line of TICTACTOE_LINES) {
    const mine = line.filter((c) => board[c] === who).length;
    const empty = line.filter((c) => board[c] === null);
    if (mine === 2 && empty.length === 1) return empty[0];
  }
  return undefined;
}

/** Win if possible, else block, else the centre, else a random free cell. */
export function tictactoeCell(board: readonly Cell[], seat: Seat, random: () => number = Math.random): number | undefined {
  const win = completing(board, seat);
  if (win !== undefined) return win;
  const block = completing(board, seat === 0 ? 1 : 0);
  if (block !== undefined) return block;
  if (board[4] === null) return 4;
  const free = board.map((c, i) => (c === null ? i : -1)).filter((i) => i >= 0);
  return free.length ? free[Math.floor(random() * free.length)] : undefined;
}

/** Tictactoe's default bot: moves on its turn only. */
export function tictactoeBot(view: TictactoeView, seat: Seat, random: () => number): TictactoeInput | undefined {
  if (view.turn !== seat) return undefined;
  const cell = tictactoeCell(view.board, seat, random);
  return cell === undefined ? undefined : { cell };
}
