import { z } from "zod";

/** Pong's input: move the paddle up (-1), stop it (0) or move it down (1). */
export const pongInputSchema = z.object({ dir: z.union([z.literal(-1), z.literal(0), z.literal(1)]) });
export type PongInput = z.infer<typeof pongInputSchema>;

const unit = z.number();

/** Pong's state on the wire: a field 1.0 by 1.0, seat 0 defends x = 0. */
export const pongViewSchema = z.object({
  ball: z.object({ x: unit, y: unit }),
  paddles: z.tuple([unit, unit]),
  score: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});
export type PongView = z.infer<typeof pongViewSchema>;
