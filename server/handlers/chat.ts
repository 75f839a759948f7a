import type { EventHandlers } from "../event-handlers.ts";
import { TokenBucket } from "../rate-limit.ts";
import type { ArenaSocket } from "../types.ts";
import type { HandlerDeps } from "./context.ts";

/** Chat has its own, tighter budget; being refused here never disconnects. */
const CHAT_RATE = { perSecond: 1, burst: 5, disconnectAfter: Number.MAX_SAFE_INTEGER };

/** `chat:send`: a line to both players of a match, within the chat budget. */
export function chatHandlers({ rooms }: HandlerDeps): Pick<EventHandlers, "chat:send"> {
  const buckets = new WeakMap<ArenaSocket, TokenBucket>();
  return {
    "chat:send": async (payload, ctx) => {
      let bucket = buckets.get(ctx.socket);
      if (!bucket) buckets.set(ctx.socket, (bucket = new TokenBucket(CHAT_RATE)));
      const allow = () => bucket.take() === "ok";
      await rooms.chat(ctx.game, ctx.playerId, ctx.name, payload.matchId, payload.text, allow);
      return {};
    },
  };
}
