import type { PongView, TictactoeView } from "../../protocol/index.ts";
import { connect, fetchGuestToken, type ArenaClient } from "../sdk/index.ts";
import { pongDirection, tictactoeCell } from "./strategies.ts";

export interface BotOptions {
  url: string;
  game: string;
  count: number;
  /** Stop after this many finished matches in all (0: never). */
  matches?: number;
  mode?: string;
  /**
   * Lobby bots: instead of queueing, they wait in the lobby, accept every challenge, and answer a
   * rematch offer by asking for one too (someone to challenge from the browser).
   */
  lobby?: boolean;
  /** One line per finished match, and errors. */
  log?: (line: string) => void;
}

export interface BotRun {
  /** Distinct matches that finished. */
  finished: number;
  errors: string[];
  /** Resolves when `matches` have finished (or at once when it is 0). */
  done: Promise<void>;
  stop(): void;
}

/** Starts `count` bots that queue, ready, play sensibly and requeue. */
export async function runBots(options: BotOptions): Promise<BotRun> {
  const log = options.log ?? (() => undefined);
  const clients: ArenaClient[] = [];
  const ended = new Set<string>();
  let stopped = false;
  let resolveDone: () => void = () => undefined;
  const run: BotRun = {
    finished: 0,
    errors: [],
    done: new Promise((resolve) => (resolveDone = resolve)),
    stop() {
      stopped = true;
      for (const client of clients) client.close();
    },
  };
  const fail = (who: string, error: unknown) => {
    // An input still in flight when its match ended is answered UNKNOWN_MATCH: not a bot error.
    if ((error as { code?: string }).code === "UNKNOWN_MATCH" || (error as { code?: string }).code === "NOT_IN_MATCH") return;
    const line = `${who}: ${(error as Error).message ?? String(error)}`;
    run.errors.push(line);
    log(`error ${line}`);
  };

  await Promise.all(
    Array.from({ length: options.count }, async (_, i) => {
      const name = `Bot-${i}`;
      const identity = await fetchGuestToken(options.url, name);
      const client = connect({ url: options.url, game: options.game, token: identity.token, autoReady: true });
      clients.push(client);
      await client.connected();
      let lastDir = 0;
      let moving = false;
      client.on("state", (payload) => {
        if (client.seat === undefined) return;
        if (options.game === "pong") {
          // The state's type follows the game the bots play (protocol/games).
          const dir = pongDirection(payload.state as PongView, client.seat);
          if (dir !== lastDir) {
            lastDir = dir;
            // Pong inputs are frequent and need no answer: the next states show them.
            client.sendInput({ dir });
          }
        } else if (options.game === "tictactoe") {
          const view = payload.state as TictactoeView;
          if (view.turn !== client.seat || moving) return;
          const cell = tictactoeCell(view.board, client.seat);
          if (cell === undefined) return;
          moving = true;
          client
            .input({ cell })
            .catch((error: unknown) => fail(name, error))
            .finally(() => (moving = false));
        }
      });
      client.on("start", () => {
        lastDir = 0;
      });
      client.on("end", (end) => {
        ended.add(end.matchId);
        run.finished = ended.size;
        const outcome = end.winner === null ? end.reason : end.winner === identity.playerId ? "won" : "lost";
        log(`${name} ${options.game} match ${end.matchId} ${end.reason}: ${outcome}, rating ${end.ratings[identity.playerId]}`);
        if (options.matches && run.finished >= options.matches) {
          resolveDone();
          return;
        }
        if (!stopped && !options.lobby) client.queue({ mode: options.mode }).catch((error: unknown) => fail(name, error));
      });
      client.on("cancelled", (cancelled) => {
        if (!cancelled.requeued && !stopped && !options.lobby) client.queue({ mode: options.mode }).catch((error: unknown) => fail(name, error));
      });
      if (options.lobby) {
        client.on("challenge", (challenge) => {
          log(`${name} accepts ${challenge.name}'s challenge`);
          client.answerChallenge(challenge.challengeId, true).catch((error: unknown) => fail(name, error));
        });
        client.on("rematchOffered", (offer) => {
          client.rematch(offer.matchId).catch((error: unknown) => fail(name, error));
        });
        return;
      }
      await client.queue({ mode: options.mode });
    }),
  );
  if (!options.matches) resolveDone();
  return run;
}
