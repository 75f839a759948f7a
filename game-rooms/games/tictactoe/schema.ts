import { z } from "zod";

/** Tictactoe's input: the cell to take, 0 to 8. Its range is a rule (ILLEGAL_MOVE), its type the shape (BAD_REQUEST). */
export const tictactoeInputSchema = z.object({ cell: z.number().int() });
export type TictactoeInput = z.infer<typeof tictactoeInputSchema>;

const seat = z.union([z.literal(0), z.literal(1)]);

/** Tictactoe's state on the wire: nine cells (null or the seat that took it), whose turn, and the move clock (epoch ms). */
export const tictactoeViewSchema = z.object({
  board: z.array(seat.nullable()).length(9),
  turn: seat,
  moveDeadline: z.number().int(),
});
export type TictactoeView = z.infer<typeof tictactoeViewSchema>;
