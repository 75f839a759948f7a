import { z } from "zod";
import type { AckData, AnsweredEventName } from "./events.ts";
import { lobbyPageSchema, spectateAnswerSchema, statsAnswerSchema } from "./server-payloads.ts";

const nothing = z.object({});

/**
 * What each answered event's ack carries on success, besides `ok: true`: typed against the event
 * map (`AckData`), so the reference (`docs/protocol.md`) can never describe an answer the types do not.
 */
export const ackSchemas: { readonly [E in AnsweredEventName]: z.ZodType<AckData<E>> } = {
  "queue:join": z.object({ ticketId: z.string() }),
  "queue:leave": z.object({ cancelled: z.boolean() }),
  "match:ready": nothing,
  "game:input": z.object({ tick: z.number().int() }),
  "match:leave": nothing,
  "chat:send": nothing,
  stats: statsAnswerSchema,
  "lobby:list": lobbyPageSchema,
  "lobby:chat": nothing,
  "dm:send": nothing,
  "challenge:send": z.object({ challengeId: z.string() }),
  "challenge:answer": nothing,
  "private:create": z.object({ code: z.string() }),
  "private:join": nothing,
  "match:rematch": z.object({ waiting: z.boolean() }),
  "match:spectate": spectateAnswerSchema,
  "match:unspectate": nothing,
  "time:sync": z.object({ clientTime: z.number(), serverTime: z.number() }),
};
