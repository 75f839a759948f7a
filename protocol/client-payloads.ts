import { z } from "zod";
import type { ClientEventName } from "./event-names.ts";

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

/** A player's id: a token's `sub`. */
export const PLAYER_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** Guest player ids (minted by `POST /v1/guest`) start with this: what the server keeps of a guest expires with its token. */
export const GUEST_PREFIX = "g_";
export const isGuest = (playerId: string): boolean => playerId.startsWith(GUEST_PREFIX);
export const playerIdSchema = z.string().regex(PLAYER_ID, "a player id");

/** The characters of a private match code: no 0/O, 1/I/L, so that one read aloud is unambiguous. */
export const PRIVATE_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

export const playerNameSchema = z
  .string()
  .max(200)
  .transform(cleanText)
  .pipe(z.string().min(1, "1-24 printable characters").max(24, "1-24 printable characters"));

export const guestRequestSchema = z.object({ name: playerNameSchema.optional() });

/** A region's name (`REGION`): 1-32 lowercase letters, digits and -. */
export const REGION_NAME = /^[a-z0-9-]{1,32}$/;
/** Regions a `queue:join` may name in its latencies, at most. */
export const MAX_LATENCY_REGIONS = 16;

export const queueJoinSchema = z.object({
  mode: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only")
    .optional(),
  /** The client's measured round trips (ms) to regions of `GET /v1/regions`. */
  latencies: z
    .record(z.string().regex(REGION_NAME, "region names: 1-32 lowercase letters, digits and -"), z.number().finite().min(0).max(60_000))
    .refine((l) => Object.keys(l).length <= MAX_LATENCY_REGIONS, `at most ${MAX_LATENCY_REGIONS} regions`)
    .optional(),
});
export const emptySchema = z.object({});
export const matchRefSchema = z.object({ matchId: id });
export const gameInputSchema = z.object({
  matchId: id,
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  input: z.unknown(),
});
const tick = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** `{ matchId, tick }`, or on a compact connection `[ref, tick]` (PROTOCOL.md, Compact state). */
export const stateAckSchema = z.union([
  z.object({ matchId: id, tick }),
  z.tuple([
    z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
    tick,
  ]),
]);
/** `time:sync`: the client's clock, echoed with the server's. */
export const timeSyncSchema = z.object({ clientTime: z.number().finite() });
const chatText = z.string().max(1000).transform(cleanText).pipe(z.string().min(1).max(200));
export const chatSendSchema = z.object({ matchId: id, text: chatText });
const mode = queueJoinSchema.shape.mode;
export const lobbyListSchema = z.object({ cursor: playerIdSchema.optional(), limit: z.number().int().min(1).max(100).optional() });
export const lobbyChatSchema = z.object({ text: chatText });
export const dmSendSchema = z.object({ to: playerIdSchema, text: chatText });
export const challengeSendSchema = z.object({ to: playerIdSchema, mode });
export const challengeAnswerSchema = z.object({ challengeId: id, accept: z.boolean() });
export const privateCreateSchema = z.object({ mode });
/** Codes are read case-insensitively. */
export const privateJoinSchema = z.object({
  code: z
    .string()
    .max(16)
    .transform((code) => code.trim().toUpperCase())
    .pipe(z.string().regex(new RegExp(`^[${PRIVATE_CODE_ALPHABET}]{6}$`), "6 characters of the code alphabet")),
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
  "lobby:list": lobbyListSchema,
  "lobby:chat": lobbyChatSchema,
  "dm:send": dmSendSchema,
  "challenge:send": challengeSendSchema,
  "challenge:answer": challengeAnswerSchema,
  "private:create": privateCreateSchema,
  "private:join": privateJoinSchema,
  "match:rematch": matchRefSchema,
  "match:spectate": matchRefSchema,
  "match:unspectate": matchRefSchema,
  "time:sync": timeSyncSchema,
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
/** Acknowledges every state of the match up to `tick`: by matchId, or by the match's compact `ref`. */
export type StateAckPayload = z.input<typeof stateAckSchema>;
export type TimeSyncPayload = z.input<typeof timeSyncSchema>;
export type ChatSendPayload = z.input<typeof chatSendSchema>;
export type LobbyListPayload = z.input<typeof lobbyListSchema>;
export type LobbyChatPayload = z.input<typeof lobbyChatSchema>;
export type DmSendPayload = z.input<typeof dmSendSchema>;
export type ChallengeSendPayload = z.input<typeof challengeSendSchema>;
export type ChallengeAnswerPayload = z.input<typeof challengeAnswerSchema>;
export type PrivateCreatePayload = z.input<typeof privateCreateSchema>;
export type PrivateJoinPayload = z.input<typeof privateJoinSchema>;

/** Turns a zod failure into one short human-readable line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "payload"}: ${issue.message}`)
    .join("; ");
}
