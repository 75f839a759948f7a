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

const schemas = {
  "queue:join": queueJoinSchema,
  "queue:leave": emptySchema,
  "match:ready": matchRefSchema,
  "game:input": gameInputSchema,
  "match:leave": matchRefSchema,
  "chat:send": chatSendSchema,
  stats: emptySchema,
  "state:ack": stateAckSchema,
} as const satisfies Record<ClientEventName, z.ZodType>;

/** What the server works with once an event's payload passed its schema. */
export type ClientEventPayload<E extends ClientEventName> = z.output<(typeof schemas)[E]>;

/** The schema each client event's payload must satisfy, typed by event name (so a lookup by a generic name keeps its type). */
export const clientEventSchemas: { readonly [E in ClientEventName]: z.ZodType<ClientEventPayload<E>> } = schemas;

/** What a client sends with each event: derived from the schemas. */
export type QueueJoinPayload = z.input<typeof queueJoinSchema>;
export type EmptyPayload = z.input<typeof emptySchema>;
export type QueueLeavePayload = EmptyPayload;
export type MatchRefPayload = z.input<typeof matchRefSchema>;
export type GameInputPayload<I = unknown> = Omit<z.input<typeof gameInputSchema>, "input"> & { input: I };
/** Acknowledges every state of the match up to `tick`. */
export type StateAckPayload = z.input<typeof stateAckSchema>;
export type ChatSendPayload = z.input<typeof chatSendSchema>;

/** Turns a zod failure into one short human-readable line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "payload"}: ${issue.message}`)
    .join("; ");
}
