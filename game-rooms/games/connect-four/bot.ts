import type { Seat } from "../../../protocol/index.ts";
import { COLUMNS, landingRow, makesFour, type Cell } from "./board.ts";
import type { ConnectFourInput, ConnectFourView } from "./schema.ts";

/** The columns where a disc of `seat` would make four. */
function winningColumns(board: readonly Cell[], seat: Seat): number[] {
  const wins: number[] = [];
  for (let column = 0; column < COLUMNS; column++) {
    const row = landingRow(board, column);
    if (row < 0) continue;
    const next = [...board];
    next[row * COLUMNS + column] = seat;
    if (makesFour(next, row, column)) wins.push(column);
  }
  return wins;
}

/** Whether dropping into `column` lets the opponent win on the cell just above it. */
function givesAway(board: readonly Cell[], column: number, seat: Seat): boolean {
  const row = landingRow(board, column);
  const next = [...board];
  next[row * COLUMNS + column] = seat;
  return winningColumns(next, seat === 0 ? 1 : 0).length > 0;
}

/** Win if possible, else block, else the column nearest the centre that gives nothing away. */
export function connectFourColumn(board: readonly Cell[], seat: Seat, random: () => number = Math.random): number | undefined {
  const win = winningColumns(board, seat)[0];
  if (win !== undefined) return win;
  const block = winningColumns(board, seat === 0 ? 1 : 0)[0];
  if (block !== undefined) return block;
  const open = Array.from({ length: COLUMNS }, (_, c) => c).filter((c) => landingRow(board, c) >= 0);
  if (open.length === 0) return undefined;
  // Centre first, ties broken at random so that bot matches differ.
  const ranked = open.map((c) => ({ c, score: Math.abs(3 - c) + random() * 0.5 })).sort((a, b) => a.score - b.score);
  return (ranked.find(({ c }) => !givesAway(board, c, seat)) ?? ranked[0]!).c;
}

/** Connect four's default bot: moves on its turn only. */
export function connectFourBot(view: ConnectFourView, seat: Seat, random: () => number): ConnectFourInput | undefined {
  if (view.turn !== seat) return undefined;
  const column = connectFourColumn(view.board, seat, random);
  return column === undefined ? undefined : { column };
}
