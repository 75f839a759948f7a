import { ArenaError, ErrorCode } from "../../../protocol/index.ts";
import { CodeGuesses } from "../code-guesses.ts";
import type { EventHandlers } from "../event-handlers.ts";
import type { PlayerBudgets } from "../player-budgets.ts";
import type { HandlerDeps } from "./context.ts";

type LobbyEvents = "lobby:list" | "lobby:chat" | "dm:send" | "challenge:send" | "challenge:answer" | "private:create" | "private:join" | "match:rematch";

const CHAT_REFUSED = "at most 5 lines or challenges at once, then 1 per second";

/**
 * The lobby's events: who is online, lobby chat, direct messages and challenges (all three on the
 * player's chat budget: each reaches other players), private codes, rematches.
 */
export function lobbyHandlers({ lobby, games, addressOf }: HandlerDeps, budget: PlayerBudgets): Pick<EventHandlers, LobbyEvents> {
  const guesses = new CodeGuesses();
  const chatAllowed = (game: string, playerId: string) => {
    if (!budget.take(game, playerId)) throw new ArenaError(ErrorCode.RATE_LIMITED, CHAT_REFUSED);
  };
  return {
    "lobby:list": (payload, ctx) => lobby.list(ctx.game, payload.cursor, payload.limit ?? 50),
    "lobby:chat": (payload, ctx) => {
      chatAllowed(ctx.game, ctx.playerId);
      lobby.chat(ctx, payload.text);
      return {};
    },
    "dm:send": async (payload, ctx) => {
      chatAllowed(ctx.game, ctx.playerId);
      await lobby.dm(ctx, payload.to, payload.text);
      return {};
    },
    "challenge:send": async (payload, ctx) => {
      chatAllowed(ctx.game, ctx.playerId);
      return { challengeId: await lobby.challenge(ctx, payload.to, games.mode(ctx.game, payload.mode)) };
    },
    "challenge:answer": async (payload, ctx) => {
      await lobby.answer(ctx, payload.challengeId, payload.accept);
      return {};
    },
    "private:create": async (payload, ctx) => ({ code: await lobby.createCode(ctx, games.mode(ctx.game, payload.mode)) }),
    "private:join": async (payload, ctx) => {
      const address = addressOf(ctx);
      guesses.check(ctx.game, ctx.playerId, address);
      try {
        await lobby.joinCode(ctx, payload.code);
      } catch (error) {
        if (error instanceof ArenaError && error.code === ErrorCode.UNKNOWN_CODE) guesses.failed(ctx.game, ctx.playerId, address);
        throw error;
      }
      return {};
    },
    "match:rematch": async (payload, ctx) => ({ waiting: await lobby.rematch(ctx, payload.matchId) }),
  };
}
