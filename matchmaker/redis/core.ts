import { createHash, randomBytes } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { ArenaError, ErrorCode, isErrorCode, isGuest } from "../../protocol/index.ts";
import {
  encodeCall,
  gameKeyPrefix,
  runsOnce,
  scriptSources,
  type ArchiveArgs,
  type IntegerScript,
  type JsonScript,
  type ScriptArgs,
  type ScriptName,
  type ScriptResults,
} from "../lua-scripts.ts";
import { HISTORY_TTL_MS, type MatchArchive } from "../store.ts";

/** cjson encodes an empty Lua table as `{}`: read lists defensively. */
export function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function unavailable(error: unknown): ArenaError {
  return new ArenaError(ErrorCode.UNAVAILABLE, "matchmaking store unreachable; nothing was changed, try again", { cause: error });
}

/** Scripts by the SHA1 of their source: EVALSHA first, EVAL (which caches it on that node) on NOSCRIPT. */
const shas = new Map<ScriptName, string>([...scriptSources].map(([name, source]) => [name, createHash("sha1").update(source).digest("hex")]));

/**
 * What every role of the Redis store shares: the connection (standalone or Cluster), the key
 * prefix, the games whose keys it keeps, and how a script is called (EVALSHA, once per request id)
 * and its answer read. Every key of a game carries the game's hash tag (`<prefix>:{<game>}:...`),
 * so each script runs in one slot; a game's state lives on one Cluster master, and games spread over them.
 */
export class RedisCore {
  /** Request ids: this store's random prefix and a counter, unique across nodes and restarts. */
  private readonly requests = randomBytes(6).toString("base64url");
  private sent = 0;

  constructor(
    readonly redis: Redis | Cluster,
    readonly prefix: string,
    /** The games whose keys this store keeps (heartbeats, sweeps and leases go to each). */
    readonly games: readonly string[],
  ) {}

  key(game: string, ...parts: string[]): string {
    return [gameKeyPrefix(this.prefix, game), ...parts].join(":");
  }

  /** Runs a script that answers an integer. */
  async integer<N extends IntegerScript>(name: N, args: ScriptArgs[N]): Promise<number> {
    return Number(await this.run(name, args));
  }

  /** Runs a script that answers JSON; an `error` in it is thrown as that ArenaError code. */
  async json<N extends JsonScript>(name: N, args: ScriptArgs[N]): Promise<ScriptResults[N]> {
    const result = JSON.parse(String(await this.run(name, args))) as ScriptResults[N] & { error?: string };
    if (result.error !== undefined) {
      throw new ArenaError(isErrorCode(result.error) ? result.error : ErrorCode.INTERNAL, result.error.toLowerCase().replaceAll("_", " "));
    }
    return result;
  }

  /** Runs a script; its raw reply. A script that changes something runs once per request id, however often it is sent. */
  private async run<N extends ScriptName>(name: N, args: ScriptArgs[N]): Promise<unknown> {
    const { keys, argv } = encodeCall(name, this.prefix, args, runsOnce(name) ? `${this.requests}.${++this.sent}` : undefined);
    try {
      try {
        return await this.redis.evalsha(shas.get(name)!, keys.length, ...keys, ...argv);
      } catch (error) {
        if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
        return await this.redis.eval(scriptSources.get(name)!, keys.length, ...keys, ...argv);
      }
    } catch (error) {
      if ((error as Error).name === "ReplyError") throw error;
      throw unavailable(error);
    }
  }

  /** Plain commands: a failure to reach Redis becomes UNAVAILABLE. */
  async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw error instanceof ArenaError ? error : unavailable(error);
    }
  }
}

/** A finished match's archive as the scripts take it. */
export function archiveArgs(archive: MatchArchive, guestTtlMs?: number): ArchiveArgs {
  const { replay, replayTtlMs, ranked, players } = archive;
  return {
    matchId: replay.matchId,
    mode: replay.mode,
    replay: JSON.stringify(replay),
    replayTtlMs,
    historyTtlMs: HISTORY_TTL_MS,
    ranked,
    players: players.map((p) => ({
      playerId: p.playerId,
      name: p.name,
      rating: p.rating,
      entry: JSON.stringify(p.entry),
      ...(guestTtlMs !== undefined && isGuest(p.playerId) ? { ttl: guestTtlMs } : {}),
    })),
  };
}
