import type { Seat } from "../../../protocol/index.ts";

export const COLUMNS = 7;
export const ROWS = 6;
export type Cell = Seat | null;

/** The row a disc dropped into `column` lands in (the lowest empty one), or -1 when the column is full. */
export function landingRow(board: readonly Cell[], column: number): number {
  for (let row = ROWS - 1; row >= 0; row--) if (board[row * COLUMNS + column] === null) return row;
  return -1;
}

const DIRECTIONS = [
  [0, 1],
  [1, 0],
  [1, 1],
  [1, -1],
] as const;

/** Whether the disc at (row, column) is part of four in a row of its seat. */
export function makesFour(board: readonly Cell[], row: number, column: number): boolean {
  const seat = board[row * COLUMNS + column];
  if (seat === null || seat === undefined) return false;
  const same = (r: number, c: number) => r >= 0 && r < ROWS && c >= 0 && c < COLUMNS && board[r * COLUMNS + c] === seat;
  return DIRECTIONS.some(([dr, dc]) => {
    let count = 1;
    for (let k = 1; same(row + dr * k, column + dc * k); k++) count++;
    for (let k = 1; same(row - dr * k, column - dc * k); k++) count++;
    return count >= 4;
  });
}

/** Each column's discs as one number: base 3 from the bottom, 1 for seat 0 and 2 for seat 1. */
export function columnCodes(board: readonly Cell[]): number[] {
  return Array.from({ length: COLUMNS }, (_, column) => {
    let code = 0;
    for (let row = 0; row < ROWS; row++) {
      const cell = board[row * COLUMNS + column];
      code = code * 3 + (cell === null || cell === undefined ? 0 : cell + 1);
    }
    return code;
  });
}

/** The board that `columnCodes` describes: the inverse, for a view decoded from a compact state. */
export function boardFromColumns(columns: readonly number[]): Cell[] {
  const board = Array<Cell>(ROWS * COLUMNS).fill(null);
  for (let column = 0; column < COLUMNS; column++) {
    let code = columns[column] ?? 0;
    for (let row = ROWS - 1; row >= 0; row--) {
      const digit = code % 3;
      board[row * COLUMNS + column] = digit === 0 ? null : ((digit - 1) as Seat);
      code = Math.floor(code / 3);
    }
  }
  return board;
}
