import type { Redis } from "ioredis";
import { ArenaError, ErrorCode, isErrorCode, type CancelReason, type PlayerId } from "../protocol/index.ts";
import { encodeArgs, scriptSources, type ScriptArgs, type ScriptName } from "./lua-scripts.ts";
import type { MatchmakingStore } from "./store.ts";
import type { Sweep, HostLease, MatchPointer, Cancellation, Departure, GameCounts, MatchRecord, PairingRules, Ticket, TicketRequest } from "./types.ts";

/** cjson encodes an empty Lua table as `{}`: read lists defensively. */
function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function unavailable(error: unknown): ArenaError {
  return new ArenaError(ErrorCode.UNAVAILABLE, "matchmaking store unreachable; nothing was changed, try again", { cause: error });
}

/**
 * The shared store on Redis: every change that touches more than one key is one Lua script, so
 * matchers on any number of nodes never pair a ticket twice, nor a cancelled or expired one.
 * Keys live under `<prefix>:`; one Redis (not a cluster) is assumed.
 */
export class RedisStore implements MatchmakingStore {
  private readonly shas = new Map<ScriptName, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  private async run<N extends ScriptName>(name: N, args: ScriptArgs[N]): Promise<string> {
    const source = scriptSources.get(name)!;
    const argv = encodeArgs<N>(this.prefix, args);
    try {
      let sha = this.shas.get(name);
      if (!sha) {
        sha = (await this.redis.script("LOAD", source)) as string;
        this.shas.set(name, sha);
      }
      try {
        return (await this.redis.evalsha(sha, 0, ...argv)) as string;
      } catch (error) {
        if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
        return (await this.redis.eval(source, 0, ...argv)) as string;
      }
    } catch (error) {
      if ((error as Error).name === "ReplyError") throw error;
      throw unavailable(error);
    }
  }

  private async json<T, N extends ScriptName = ScriptName>(name: N, args: ScriptArgs[N]): Promise<T> {
    const result = JSON.parse(await this.run(name, args)) as T & { error?: string };
    if (result.error !== undefined) {
      throw new ArenaError(isErrorCode(result.error) ? result.error : ErrorCode.INTERNAL, result.error.toLowerCase().replaceAll("_", " "));
    }
    return result;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw error instanceof ArenaError ? error : unavailable(error);
    }
  }

  async heartbeat(node: string, now: number): Promise<void> {
    await this.call(() => this.redis.zadd(this.key("nodes"), now, node));
  }

  async sweepDeadNodes(now: number, ttlMs: number): Promise<Sweep> {
    const result = await this.json<{ expired: unknown; orphans: unknown }>("sweep-nodes", { now, ttl: ttlMs });
    return { expired: list<Ticket>(result.expired), orphans: list(result.orphans) };
  }

  async openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number): Promise<MatchPointer | null> {
    return (await this.json<{ match?: MatchPointer }>("open-session", { game, playerId, node, generation, now })).match ?? null;
  }

  async sessionNode(game: string, playerId: PlayerId): Promise<string | null> {
    return this.call(() => this.redis.hget(this.key("p", game, playerId), "node"));
  }

  async closeSession(game: string, playerId: PlayerId, generation: number): Promise<Departure | null> {
    const result = await this.json<Departure & { none?: boolean }>("close-session", { game, playerId, generation });
    return result.none
      ? null
      : { ticket: result.ticket, ...(result.ticketId ? { ticketId: result.ticketId } : {}), ...(result.match ? { match: result.match } : {}) };
  }

  async enqueue(request: TicketRequest, now: number, defaultRating: number): Promise<Ticket> {
    const { ticketId, playerId, name, game, mode } = request;
    return (await this.json<{ ticket: Ticket }>("enqueue", { ticketId, playerId, name, game, mode, now, defaultRating })).ticket;
  }

  async dequeue(game: string, playerId: PlayerId): Promise<Departure> {
    return this.json<Departure>("dequeue", { game, playerId });
  }

  async modes(game: string): Promise<string[]> {
    return this.call(() => this.redis.smembers(this.key("modes", game)));
  }

  async pair(game: string, mode: string, now: number, rules: PairingRules, matchIds: string[], focusTicketId?: string): Promise<MatchRecord[]> {
    const result = await this.json<{ made: unknown }>("pair", { game, mode, now, rules, focus: focusTicketId ?? "", matchIds });
    return list<MatchRecord>(result.made);
  }

  async getMatch(game: string, matchId: string): Promise<MatchRecord | null> {
    const result = await this.json<{ match?: MatchRecord }>("get-match", { game, matchId });
    return result.match ?? null;
  }

  async markReady(game: string, matchId: string, playerId: PlayerId, host: HostLease): Promise<{ match: MatchRecord; started: boolean }> {
    return this.json<{ match: MatchRecord; started: boolean }>("mark-ready", {
      game,
      matchId,
      playerId,
      host: host.node,
      now: host.now,
      leaseMs: host.leaseMs,
    });
  }

  async renewLeases(matchIds: string[], until: number): Promise<void> {
    if (matchIds.length) await this.run("renew-leases", { until, matchIds });
  }

  async claimExpiredLeases(now: number, limit: number): Promise<{ game: string; matchId: string }[]> {
    return list((await this.json<{ claimed: unknown }>("claim-expired-leases", { now, limit })).claimed);
  }

  async overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]> {
    return this.call(() => this.redis.zrangebyscore(this.key("rc", game), "-inf", now, "LIMIT", 0, limit));
  }

  async cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
    const result = await this.json<Cancellation & { none?: boolean }>("cancel-ready-check", { game, matchId, reason, leaver: leaver ?? "" });
    return result.none ? null : { matchId: result.matchId, game: result.game, reason: result.reason, seats: list(result.seats) };
  }

  async endMatch(game: string, matchId: string): Promise<boolean> {
    return ((await this.run("end-match", { game, matchId })) as unknown as number) === 1;
  }

  async getRating(game: string, playerId: PlayerId, defaultRating: number): Promise<number> {
    const value = await this.call(() => this.redis.hget(this.key("rating", game), playerId));
    return value === null ? defaultRating : Number(value);
  }

  async setRatings(game: string, ratings: Record<PlayerId, number>): Promise<void> {
    const entries = Object.entries(ratings);
    if (entries.length) await this.call(() => this.redis.hset(this.key("rating", game), Object.fromEntries(entries)));
  }

  async counts(game: string): Promise<GameCounts> {
    return this.call(async () => {
      const modes = await this.redis.smembers(this.key("modes", game));
      const pipeline = this.redis.pipeline();
      for (const mode of modes) pipeline.zcard(this.key("qa", game, mode));
      pipeline.scard(this.key("ms", game));
      pipeline.scard(this.key("online", game));
      const results = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return Number(value);
      });
      const players = results.pop() ?? 0;
      const matches = results.pop() ?? 0;
      return { queued: results.reduce((a, b) => a + b, 0), matches, players };
    });
  }

  async queueSizes(game: string): Promise<Record<string, number>> {
    return this.call(async () => {
      const modes = await this.redis.smembers(this.key("modes", game));
      const sizes = await Promise.all(modes.map((mode) => this.redis.zcard(this.key("qa", game, mode))));
      return Object.fromEntries(modes.map((mode, i) => [mode, sizes[i] ?? 0]));
    });
  }

  async epoch(candidate: string): Promise<string> {
    return this.call(async () => {
      await this.redis.set(this.key("epoch"), candidate, "NX");
      return (await this.redis.get(this.key("epoch"))) ?? candidate;
    });
  }

  async close(): Promise<void> {}
}
