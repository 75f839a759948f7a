import { createHash, randomBytes } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import {
  ArenaError,
  ErrorCode,
  isErrorCode,
  isGuest,
  type CancelReason,
  type HistoryEntry,
  type LeaderboardEntry,
  type LiveMatch,
  type Replay,
  type LobbyPage,
  type LobbyPlayer,
  type LobbyStatus,
  type MatchEnd,
  type PlayerId,
} from "../protocol/index.ts";
import { encodeCall, gameKeyPrefix, runsOnce, scriptSources, type ArchiveArgs, type ScriptArgs, type ScriptName } from "./lua-scripts.ts";
import {
  HISTORY_TTL_MS,
  type Adoption,
  type DirectMatch,
  type EndStamps,
  type Finished,
  type FinishOutcome,
  type MatchArchive,
  type MatchResult,
  type MatchEnding,
  type MatchmakingStore,
  type MatchSnapshotEntry,
  type RematchAsk,
} from "./store.ts";
import type {
  LapsedMatch,
  NodeInfo,
  Sweep,
  HostLease,
  MatchPointer,
  SessionOpened,
  Cancellation,
  Departure,
  GameCounts,
  MatchRecord,
  MatchRef,
  PairingRules,
  Rated,
  Ticket,
  TicketRequest,
} from "./types.ts";

/** cjson encodes an empty Lua table as `{}`: read lists defensively. */
function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function unavailable(error: unknown): ArenaError {
  return new ArenaError(ErrorCode.UNAVAILABLE, "matchmaking store unreachable; nothing was changed, try again", { cause: error });
}

/** Scripts by the SHA1 of their source: EVALSHA first, EVAL (which caches it on that node) on NOSCRIPT. */
const shas = new Map<ScriptName, string>([...scriptSources].map(([name, source]) => [name, createHash("sha1").update(source).digest("hex")]));

/** finish-match.lua's answer codes. */
const FINISH_OUTCOMES: Record<number, FinishOutcome> = { 0: "refused", 1: "recorded", 2: "already", 3: "unknown" };

/** A lapsed host's match taken by a node that never ended it (it died, or lost the answer) is handed out again after this. */
const REAP_RETRY_MS = 5000;

/** At most this many players of a dead node are swept per script call (the call repeats until done). */
const SWEEP_BATCH = 500;

/**
 * The shared store on Redis, standalone or Cluster: every change that touches more than one key is
 * one Lua script, so matchers on any number of nodes never pair a ticket twice, nor a cancelled or
 * expired one. Every key of a game carries the game's hash tag (`<prefix>:{<game>}:...`), so each
 * script runs in one slot; a game's state lives on one Cluster master, and games spread over them.
 */
export class RedisStore implements MatchmakingStore {
  /** Request ids: this store's random prefix and a counter, unique across nodes and restarts. */
  private readonly requests = randomBytes(6).toString("base64url");
  private sent = 0;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    /** The games whose keys this store keeps (heartbeats, sweeps and leases go to each). */
    private readonly games: readonly string[],
  ) {}

  private key(game: string, ...parts: string[]): string {
    return [gameKeyPrefix(this.prefix, game), ...parts].join(":");
  }

  private async run<N extends ScriptName>(name: N, args: ScriptArgs[N]): Promise<string> {
    const { keys, argv } = encodeCall(name, this.prefix, args, runsOnce(name) ? `${this.requests}.${++this.sent}` : undefined);
    try {
      try {
        return (await this.redis.evalsha(shas.get(name)!, keys.length, ...keys, ...argv)) as string;
      } catch (error) {
        if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
        return (await this.redis.eval(scriptSources.get(name)!, keys.length, ...keys, ...argv)) as string;
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
    await this.call(() => Promise.all(this.games.map((game) => this.redis.zadd(this.key(game, "nodes"), now, node))));
  }

  async sweepDeadNodes(now: number, ttlMs: number): Promise<Sweep> {
    const sweep: Sweep = { expired: [], orphans: [] };
    for (const game of this.games) {
      // Bounded batches: a dead node with many players never makes one long script.
      for (let more = true; more; ) {
        const result = await this.json<{ expired: unknown; orphans: unknown; more: boolean; gone: unknown }>("sweep-nodes", {
          game,
          now,
          ttl: ttlMs,
          limit: SWEEP_BATCH,
        });
        // How clients reach a node is kept (outside any game's slot) until the node is gone.
        const gone = list<string>(result.gone);
        if (gone.length) await this.call(() => this.redis.hdel(`${this.prefix}:node-info`, ...gone));
        sweep.expired.push(...list<Ticket>(result.expired));
        sweep.orphans.push(...list<Sweep["orphans"][number]>(result.orphans));
        more = result.more;
      }
    }
    return sweep;
  }

  async openSession(game: string, playerId: PlayerId, node: string, generation: number, now: number, name = playerId): Promise<SessionOpened> {
    const result = await this.json<{ match?: MatchPointer; replaced?: string; stale?: boolean; seq: number }>("open-session", {
      game,
      playerId,
      name,
      node,
      generation,
      now,
    });
    if (result.stale) return { match: null, stale: true, seq: result.seq };
    return { match: result.match ?? null, ...(result.replaced ? { replaced: result.replaced } : {}), seq: result.seq };
  }

  async hostSet(game: string, node: string): Promise<string[]> {
    return this.call(() => this.redis.smembers(this.key(game, "hm", node)));
  }

  async describeNode(node: string, info: NodeInfo): Promise<void> {
    await this.call(() =>
      Promise.all([
        this.redis.hset(`${this.prefix}:node-info`, node, JSON.stringify(info)),
        // Each game's pairing reads the nodes' regions in its own slot (lua/pair.lua).
        ...this.games.map((game) => this.redis.hset(this.key(game, "nreg", game), node, info.region)),
      ]),
    );
  }

  async liveNodes(now: number, ttlMs: number): Promise<(NodeInfo & { node: string })[]> {
    return this.call(async () => {
      // Every node heartbeats into every game's set: the first game's is enough.
      const nodes = await this.redis.zrangebyscore(this.key(this.games[0]!, "nodes"), now - ttlMs, "+inf");
      if (nodes.length === 0) return [];
      const infos = await this.redis.hmget(`${this.prefix}:node-info`, ...nodes);
      return nodes.flatMap((node, i) => (infos[i] ? [{ node, ...(JSON.parse(infos[i]!) as NodeInfo) }] : []));
    });
  }

  async describedNodes(): Promise<(NodeInfo & { node: string })[]> {
    const all = await this.call(() => this.redis.hgetall(`${this.prefix}:node-info`));
    return Object.entries(all).map(([node, raw]) => ({ node, ...(JSON.parse(raw) as NodeInfo) }));
  }

  async nodeInfo(node: string): Promise<NodeInfo | null> {
    const raw = await this.call(() => this.redis.hget(`${this.prefix}:node-info`, node));
    return raw === null ? null : (JSON.parse(raw) as NodeInfo);
  }

  async sessionNode(game: string, playerId: PlayerId): Promise<string | null> {
    return this.call(() => this.redis.hget(this.key(game, "p", game, playerId), "node"));
  }

  async stampAges(game: string, playerId: PlayerId, after: number, before: number): Promise<number[]> {
    return list<number>((await this.json<{ ages: unknown }>("stamp-ages", { game, playerId, after, before })).ages);
  }

  async closeSession(game: string, playerId: PlayerId, generation: number): Promise<Departure | null> {
    const result = await this.json<Departure & { none?: boolean }>("close-session", { game, playerId, generation });
    return result.none
      ? null
      : { ticket: result.ticket, ...(result.ticketId ? { ticketId: result.ticketId } : {}), ...(result.match ? { match: result.match } : {}) };
  }

  async enqueue(request: TicketRequest, now: number, initial: Rated): Promise<Ticket> {
    const { ticketId, playerId, name, game, mode, latencies } = request;
    return (await this.json<{ ticket: Ticket }>("enqueue", { ticketId, playerId, name, game, mode, now, initial, ...(latencies ? { latencies } : {}) })).ticket;
  }

  async dequeue(game: string, playerId: PlayerId): Promise<Departure> {
    return this.json<Departure>("dequeue", { game, playerId });
  }

  async modes(game: string): Promise<string[]> {
    return this.call(() => this.redis.smembers(this.key(game, "modes", game)));
  }

  async pair(game: string, mode: string, now: number, rules: PairingRules, matchIds: string[], focusTicketId?: string): Promise<MatchRecord[]> {
    const result = await this.json<{ made: unknown }>("pair", { game, mode, now, rules, focus: focusTicketId ?? "", matchIds });
    return list<MatchRecord>(result.made);
  }

  async claimMatcher(game: string, mode: string, node: string, _now: number, ttlMs: number): Promise<boolean> {
    return ((await this.run("claim-matcher", { game, mode, node, ttl: ttlMs })) as unknown as number) === 1;
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

  async renewHost(node: string, until: number, matches: MatchRef[] = [], delivered: MatchRef[] = []): Promise<void> {
    const of = (refs: MatchRef[], game: string) => refs.filter((m) => m.game === game).map((m) => m.matchId);
    for (const game of this.games) await this.run("renew-host", { game, node, until, matchIds: of(matches, game), delivered: of(delivered, game) });
  }

  async claimLapsedHosts(now: number, limit: number): Promise<LapsedMatch[]> {
    const claimed: LapsedMatch[] = [];
    for (const game of this.games) {
      if (claimed.length >= limit) break;
      claimed.push(
        ...list<LapsedMatch>(
          (await this.json<{ claimed: unknown }>("claim-lapsed-hosts", { game, now, limit: limit - claimed.length, retryMs: REAP_RETRY_MS })).claimed,
        ),
      );
    }
    return claimed;
  }

  async saveSnapshots(game: string, node: string, snapshots: MatchSnapshotEntry[]): Promise<string[]> {
    if (!snapshots.length) return [];
    return list<string>((await this.json<{ lost: unknown }>("save-snapshots", { game, node, snapshots })).lost);
  }

  async adoptMatch(game: string, matchId: string, node: string, from: string, until: number): Promise<Adoption | null> {
    const result = await this.json<{
      match?: MatchRecord;
      snapshot?: string;
      inputs?: unknown;
      truncated?: boolean;
      ended?: { players: PlayerId[]; ending: string; stamps: EndStamps };
    }>("adopt-match", {
      game,
      matchId,
      node,
      from,
      until,
    });
    if (result.ended) {
      const { players, ending, stamps } = result.ended;
      return { ended: { players: list<PlayerId>(players), end: JSON.parse(ending) as MatchEnd, stamps } };
    }
    if (!result.match) return null;
    if (!result.snapshot) return { match: result.match };
    return { match: result.match, snapshot: result.snapshot, inputs: list<string>(result.inputs), ...(result.truncated ? { truncated: true } : {}) };
  }

  async lobbyPage(game: string, after: string, limit: number): Promise<LobbyPage> {
    const page = await this.json<{ players: unknown; total: number; next?: string }>("lobby-page", { game, after, limit });
    return { players: list<LobbyPlayer>(page.players), total: page.total, ...(page.next ? { next: page.next } : {}) };
  }

  async playerStatus(game: string, playerId: PlayerId): Promise<LobbyStatus | null> {
    const [node, ticket, match] = await this.call(() => this.redis.hmget(this.key(game, "p", game, playerId), "node", "ticket", "match"));
    if (!node) return null;
    return match ? "playing" : ticket ? "queued" : "idle";
  }

  async putOffer(game: string, key: string, offer: string, ttlMs: number): Promise<boolean> {
    // A script, not a plain SET NX: re-sent after a lost reply, it answers its first run's result.
    return (await this.json<{ put: boolean }>("put-offer", { game, key, offer, ttlMs })).put;
  }

  async getOffer(game: string, key: string): Promise<string | null> {
    return this.call(() => this.redis.get(this.key(game, key)));
  }

  async dropOffer(game: string, key: string): Promise<boolean> {
    return (await this.json<{ dropped: boolean }>("drop-offer", { game, key })).dropped;
  }

  async makeMatch(game: string, request: DirectMatch): Promise<MatchRecord> {
    return (await this.json<{ match: MatchRecord }>("make-match", { game, ...request, offer: request.offer ?? "" })).match;
  }

  async askRematch(game: string, matchId: string, playerId: PlayerId, now: number, windowMs: number): Promise<RematchAsk> {
    return this.json<RematchAsk>("ask-rematch", { game, matchId, playerId, now, windowMs });
  }

  async liveMatches(game: string, limit: number): Promise<LiveMatch[]> {
    return list<LiveMatch>((await this.json<{ matches: unknown }>("live-matches", { game, limit })).matches);
  }

  async setSpectators(game: string, matchId: string, count: number): Promise<void> {
    // Only while the match runs: a write after its end must not bring back a record of it.
    const key = this.key(game, "m", matchId);
    await this.call(() =>
      this.redis.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'spec', ARGV[1]) end return 0", 1, key, count),
    );
  }

  async archiveMatch(game: string, archive: MatchArchive): Promise<void> {
    await this.run("archive-match", { game, ...archiveArgs(archive) });
  }

  async sweepGuests(game: string): Promise<number> {
    return (await this.run("sweep-guests", { game })) as unknown as number;
  }

  async replay(game: string, matchId: string): Promise<Replay | null> {
    const text = await this.call(() => this.redis.get(this.key(game, "replay", matchId)));
    return text ? (JSON.parse(text) as Replay) : null;
  }

  async history(game: string, playerId: PlayerId): Promise<HistoryEntry[]> {
    const entries = await this.call(() => this.redis.lrange(this.key(game, "hist", game, playerId), 0, 19));
    return entries.map((entry) => JSON.parse(entry) as HistoryEntry);
  }

  async leaderboard(game: string, mode: string, limit: number): Promise<LeaderboardEntry[]> {
    return list<LeaderboardEntry>((await this.json<{ entries: unknown }>("leaderboard", { game, mode, limit })).entries);
  }

  async overdueReadyChecks(game: string, now: number, limit: number): Promise<string[]> {
    return this.call(() => this.redis.zrangebyscore(this.key(game, "rc", game), "-inf", now, "LIMIT", 0, limit));
  }

  async cancelReadyCheck(game: string, matchId: string, reason: CancelReason, leaver?: PlayerId): Promise<Cancellation | null> {
    const result = await this.json<Cancellation & { none?: boolean }>("cancel-ready-check", { game, matchId, reason, leaver: leaver ?? "" });
    return result.none ? null : { matchId: result.matchId, game: result.game, reason: result.reason, seats: list(result.seats) };
  }

  async endMatch(game: string, matchId: string, ending?: MatchEnding): Promise<EndStamps | null> {
    const args = {
      game,
      matchId,
      now: Date.now(),
      ending: ending ? JSON.stringify(ending.end) : "",
      host: ending?.host ?? "",
      ...(ending?.claim ? { claim: ending.claim } : {}),
    };
    return (await this.json<{ stamps?: EndStamps }>("end-match", args)).stamps ?? null;
  }

  async finishMatch(game: string, result: MatchResult): Promise<Finished> {
    const { matchId, mode, claim, ratings, guestTtlMs, end, archive } = result;
    const answer = await this.json<{ code: number; stamps?: EndStamps }>("finish-match", {
      game,
      matchId,
      mode,
      now: Date.now(),
      claim,
      ending: JSON.stringify(end),
      ratings: Object.entries(ratings ?? {}).map(([playerId, r]) => ({ playerId, value: `${r.rating} ${r.mu} ${r.sigma}` })),
      guestTtlMs,
      archive: archiveArgs(archive, guestTtlMs),
    });
    const outcome = FINISH_OUTCOMES[answer.code] ?? "refused";
    return answer.stamps ? { outcome, stamps: answer.stamps } : { outcome };
  }

  /** Where a rating lives (as lua/prelude.lua's `read_rating` reads it): a guest's in a key of its own that expires. */
  private ratingKey(game: string, mode: string, playerId: PlayerId): { key: string; field?: string } {
    return isGuest(playerId) ? { key: this.key(game, "gr", game, mode, playerId) } : { key: this.key(game, "rt", game, mode), field: playerId };
  }

  async getRating(game: string, mode: string, playerId: PlayerId, initial: Rated): Promise<Rated> {
    const { key, field } = this.ratingKey(game, mode, playerId);
    const value = await this.call(() => (field === undefined ? this.redis.get(key) : this.redis.hget(key, field)));
    if (value === null) return initial;
    const [rating, mu, sigma] = value.split(" ").map(Number) as [number, number, number];
    return { rating, mu, sigma };
  }

  async setRatings(game: string, mode: string, ratings: Record<PlayerId, Rated>, guestTtlMs: number): Promise<void> {
    const entries = Object.entries(ratings);
    if (!entries.length) return;
    const pipeline = this.redis.pipeline();
    for (const [playerId, r] of entries) {
      const { key, field } = this.ratingKey(game, mode, playerId);
      const value = `${r.rating} ${r.mu} ${r.sigma}`;
      if (field === undefined) pipeline.set(key, value, "PX", guestTtlMs);
      else pipeline.hset(key, field, value);
    }
    await this.call(async () => {
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    });
  }

  async counts(game: string): Promise<GameCounts> {
    return this.call(async () => {
      const modes = await this.redis.smembers(this.key(game, "modes", game));
      const pipeline = this.redis.pipeline();
      for (const mode of modes) pipeline.zcard(this.key(game, "qa", game, mode));
      pipeline.scard(this.key(game, "ms", game));
      pipeline.zcard(this.key(game, "lobby", game));
      const results = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return Number(value);
      });
      const players = results.pop() ?? 0;
      const matches = results.pop() ?? 0;
      return { queued: results.reduce((a, b) => a + b, 0), matches, players };
    });
  }

  async recentWaits(game: string): Promise<number[]> {
    return (await this.call(() => this.redis.lrange(this.key(game, "waits", game), 0, 199))).map(Number);
  }

  async queueSizes(game: string): Promise<Record<string, number>> {
    return this.call(async () => {
      const modes = await this.redis.smembers(this.key(game, "modes", game));
      const sizes = await Promise.all(modes.map((mode) => this.redis.zcard(this.key(game, "qa", game, mode))));
      return Object.fromEntries(modes.map((mode, i) => [mode, sizes[i] ?? 0]));
    });
  }

  async epoch(candidate: string): Promise<string> {
    return this.call(async () => {
      const key = `${this.prefix}:epoch`;
      await this.redis.set(key, candidate, "NX");
      return (await this.redis.get(key)) ?? candidate;
    });
  }

  async close(): Promise<void> {}
}

/** A finished match's archive as the scripts take it. */
function archiveArgs(archive: MatchArchive, guestTtlMs?: number): ArchiveArgs {
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
