import { PLAYING_REF } from "../../delivery/state-wires.ts";
import type { EventHandlers, InputNoAnswerHandler, StateAckHandler } from "../event-handlers.ts";
import { seeker, type HandlerDeps } from "./context.ts";

/** `match:ready`, `game:input` and `match:leave`: a player's part in a match, from the ready check to the end. */
export function matchHandlers({ matchmaker, rooms }: HandlerDeps): Pick<EventHandlers, "match:ready" | "game:input" | "match:leave"> {
  return {
    "match:ready": async (payload, ctx) => {
      await matchmaker.ready(seeker(ctx), payload.matchId);
      return {};
    },
    "game:input": async (payload, ctx) => ({ tick: await rooms.input(ctx.game, ctx.playerId, payload.matchId, payload.seq, payload.input) }),
    "match:leave": async (payload, ctx) => {
      await rooms.leave(ctx.game, ctx.playerId, payload.matchId);
      return {};
    },
  };
}

/** `game:input` sent without a callback: fire and forget. */
export function inputNoAnswerHandler({ rooms }: HandlerDeps): InputNoAnswerHandler {
  return (payload, ctx) => rooms.inputNoAnswer(ctx.game, ctx.playerId, payload.matchId, payload.seq, payload.input);
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
