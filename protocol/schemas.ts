import { z } from "zod";
import type { ClientEventName } from "./events.ts";

/** Control and format characters are never allowed in names or chat. */
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** Removes control characters and trims: what the server keeps of a name or a chat line. */
export function cleanText(text: string): string {
  return text.replace(CONTROL, "").trim();
}

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only");

export const playerNameSchema = z
  .string()
  .max(200)
  .transform(cleanText)
  .pipe(z.string().min(1, "1-24 printable characters").max(24, "1-24 printable characters"));

export const guestRequestSchema = z.object({ name: playerNameSchema.optional() });

export const queueJoinSchema = z.object({
  mode: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .optional(),
});
export const emptySchema = z.object({});
export const matchRefSchema = z.object({ matchId: id });
export const gameInputSchema = z.object({
  matchId: id,
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  input: z.unknown(),
});
export const stateAckSchema = z.object({ matchId: id, tick: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
export const chatSendSchema = z.object({
  matchId: id,
  text: z.string().max(1000).transform(cleanText).pipe(z.string().min(1).max(200)),
});

/** The schema each client event's payload must satisfy. */
export const clientEventSchemas = {
  "queue:join": queueJoinSchema,
  "queue:leave": emptySchema,
  "match:ready": matchRefSchema,
  "game:input": gameInputSchema,
  "match:leave": matchRefSchema,
  "chat:send": chatSendSchema,
  stats: emptySchema,
  "state:ack": stateAckSchema,
} as const satisfies Record<ClientEventName, z.ZodType>;

export type ClientEventPayload<E extends ClientEventName> = z.output<(typeof clientEventSchemas)[E]>;

/** Turns a zod failure into one short human-readable line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "payload"}: ${issue.message}`)
    .join("; ");
}
