import { z } from "zod";

/** Connect four's input: the column to drop a disc into, 0 to 6. Its range is a rule (ILLEGAL_MOVE), its type the shape (BAD_REQUEST). */
export const connectFourInputSchema = z.object({ column: z.number().int() });
export type ConnectFourInput = z.infer<typeof connectFourInputSchema>;

const seat = z.union([z.literal(0), z.literal(1)]);

/**
 * Connect four's state on the wire: 42 cells, 6 rows of 7 with row 0 at the top (cell = row * 7 +
 * column), whose turn, the move clock (epoch ms), and `columns`: each column's discs as one number
 * (base 3 from the bottom: 1 for seat 0, 2 for seat 1), the board in 7 numbers for compact states.
 */
export const connectFourViewSchema = z.object({
  board: z.array(seat.nullable()).length(42),
  turn: seat,
  moveDeadline: z.number().int(),
  columns: z.array(z.number().int().min(0)).length(7),
});
export type ConnectFourView = z.infer<typeof connectFourViewSchema>;
