import { PLAYING_REF } from "../../delivery/state-wires.ts";
import type { EventHandlers, InputHandler, StateAckHandler } from "../event-handlers.ts";
import { seeker, type HandlerDeps } from "./context.ts";

/** `match:ready` and `match:leave` (`game:input` is `inputHandler`): a player's part in a match, from the ready check to the end. */
export function matchHandlers({ matchmaker, rooms }: HandlerDeps): Pick<EventHandlers, "match:ready" | "match:leave"> {
  return {
    "match:ready": async (payload, ctx) => {
      await matchmaker.ready(seeker(ctx), payload.matchId);
      return {};
    },
    "match:leave": async (payload, ctx) => {
      await rooms.leave(ctx.game, ctx.playerId, payload.matchId);
      return {};
    },
  };
}

/** `game:input`: queued for the host's next tick, answered (when asked) through the callbacks. */
export function inputHandler({ rooms }: HandlerDeps): InputHandler {
  return (payload, ctx, applied, refused) => rooms.queueInput(ctx.game, ctx.playerId, payload, applied, refused);
}

/**
 * `state:ack`: the state stream's cumulative acknowledgement, never answered. A compact one names
 * the match the connection plays by its ref (`PLAYING_REF`); any other ref is dropped (and
 * counted) like a malformed ack.
 */
export function stateAckHandler({ rooms }: HandlerDeps): StateAckHandler {
  return (payload, ctx) => {
    if (!Array.isArray(payload)) return rooms.stateAck(ctx.game, ctx.playerId, payload);
    const matchId = payload[0] === PLAYING_REF ? ctx.socket.data.playing : undefined;
    rooms.stateAck(ctx.game, ctx.playerId, matchId === undefined ? undefined : { matchId, tick: payload[1] });
  };
}
