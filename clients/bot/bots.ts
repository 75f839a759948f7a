import type { GameInfo } from "../../protocol/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { GameDefinition } from "../../game-rooms/games/index.ts";
import { loadGames } from "../../game-rooms/games/load-games.ts";
import { connect, fetchGuestToken, type ArenaClient } from "../sdk/index.ts";

export interface BotOptions {
  url: string;
  /** The game: a built-in name, a module path (as in `GAMES`), or its definition. Its default bot plays. */
  game: string | GameDefinition;
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

/** The game's definition, and how the server runs it (`GET /v1/games`: real time or turns). */
async function gameOf(options: BotOptions): Promise<{ definition: GameDefinition; info: GameInfo }> {
  const definition = typeof options.game === "string" ? (await loadGames([options.game]))[0]!.definition : options.game;
  if (!definition.bot) throw new Error(`game ${definition.name} has no bot`);
  const games = (await (await fetch(new URL("/v1/games", options.url))).json()) as GameInfo[];
  const info = games.find((g) => g.name === definition.name);
  if (!info) throw new Error(`${options.url} does not serve ${definition.name} (it serves ${games.map((g) => g.name).join(", ")})`);
  return { definition, info };
}

/** Starts `count` bots that queue, ready, play with the game's own bot and requeue. */
export async function runBots(options: BotOptions): Promise<BotRun> {
  const log = options.log ?? (() => undefined);
  const { definition, info } = await gameOf(options);
  const decide = definition.bot!;
  const game = definition.name;
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
    if ((error as { code?: string }).code === ErrorCode.UNKNOWN_MATCH || (error as { code?: string }).code === ErrorCode.NOT_IN_MATCH) return;
    const line = `${who}: ${(error as Error).message ?? String(error)}`;
    run.errors.push(line);
    log(`error ${line}`);
  };

  await Promise.all(
    Array.from({ length: options.count }, async (_, i) => {
      const name = `Bot-${i}`;
      const identity = await fetchGuestToken(options.url, name);
      const client = connect({ url: options.url, game, token: identity.token, autoReady: true });
      clients.push(client);
      await client.connected();
      let lastSent: string | undefined;
      let moving = false;
      client.on("state", (payload) => {
        if (client.seat === undefined || client.matchId !== payload.matchId || moving) return;
        const input = decide(payload.state, client.seat, Math.random);
        if (input === undefined) return;
        if (info.kind === "realtime") {
          // Real-time inputs are frequent and need no answer: the next states show them. Only a change is sent.
          const text = JSON.stringify(input);
          if (text === lastSent) return;
          lastSent = text;
          client.sendInput(input);
          return;
        }
        moving = true;
        client
          .input(input)
          .catch((error: unknown) => fail(name, error))
          .finally(() => (moving = false));
      });
      client.on("start", () => {
        lastSent = undefined;
      });
      client.on("end", (end) => {
        ended.add(end.matchId);
        run.finished = ended.size;
        const outcome = end.winner === null ? end.reason : end.winner === identity.playerId ? "won" : "lost";
        log(`${name} ${game} match ${end.matchId} ${end.reason}: ${outcome}, rating ${end.ratings[identity.playerId]}`);
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
