import type { Logger } from "pino";
import type { MatchStore, NodeInfo, PlayerChannel, SessionStore } from "../matchmaker/index.ts";
import type { HostInfo } from "../protocol/index.ts";
import type { MatchMigration } from "./match-migration.ts";
import type { NodeRelay } from "./node-relay.ts";
import type { RoomHost } from "./room-host.ts";

export interface MatchHandoverOptions {
  node: string;
  /** This node's region: matches go to a node of the same region when there is one. */
  region: string;
  store: Pick<MatchStore, "getMatch"> & Pick<SessionStore, "liveNodes">;
  /** How long a node's heartbeat counts it live. */
  liveMs: number;
  host: RoomHost;
  migration: MatchMigration;
  relay: NodeRelay;
  channel: PlayerChannel;
  log: Logger;
}

/** What a drain did with the matches it found running. */
export interface HandoverResult {
  /** Adopted by another node. */
  moved: number;
  /** Handed off but not adopted in time: left in this node's set for the lapsed-host path (`RoomManager.release`). */
  left: number;
}

type Target = NodeInfo & { node: string; headroom: number };

const POLL_MS = 100;
/** How long an adoption may take before the match is left to the lapsed-host path (the target may have died). */
const ADOPT_WAIT_MS = 5000;

/**
 * A draining node's running matches go on elsewhere: each room stops (no tick after its final
 * snapshot), goes to the live node of this region with the most headroom (free connections), which
 * adopts it from that snapshot as after a host's death; both players are told `match:moving` and
 * connect there. A match not adopted before the deadline stays in this node's host set: when this
 * node lets its lease go, the lapsed-host path adopts it from the same snapshot.
 */
export class MatchHandover {
  constructor(private readonly options: MatchHandoverOptions) {}

  /** Live nodes that take matches (not draining, reachable by URL); none: the matches run out here as before. */
  async targets(): Promise<Target[]> {
    const { store, node, liveMs } = this.options;
    const nodes = await store.liveNodes(Date.now(), liveMs);
    return nodes
      .filter((n) => n.node !== node && n.url !== undefined && !n.load?.draining)
      .map((n) => ({ ...n, headroom: n.load ? n.load.capacity - n.load.connections : 0 }));
  }

  /** Hands every running match to `targets`; resolves once each is adopted, or at `deadline` (epoch ms). */
  async handOver(targets: Target[], deadline: number): Promise<HandoverResult> {
    const { host, migration, relay, channel, log, node } = this.options;
    const rooms = host.handOff();
    if (!rooms.length) return { moved: 0, left: 0 };
    const started = Date.now();
    log.info({ matches: rooms.length, targets: targets.map((t) => t.node) }, "draining: handing running matches to live nodes");
    // Written before any node is asked: the adopter resumes from exactly the tick the room stopped at.
    const lost = new Set(await migration.saveFinal(rooms.map(({ room, entry }) => ({ game: room.game.name, entry }))));
    const waiting = new Map<string, { game: string; to: string }>();
    for (const { room } of rooms) {
      const { matchId } = room;
      const game = room.game.name;
      if (lost.has(matchId)) {
        host.moved(matchId);
        continue;
      }
      const target = this.pick(targets);
      const to: HostInfo = { node: target.node, region: target.region, ...(target.url ? { url: target.url } : {}) };
      relay.send(target.node, { t: "adopt", game, matchId, from: node });
      for (const seat of room.seats)
        channel.toPlayer(game, seat.playerId, "match:moving", { matchId, host: to }, seat.connected ? { node: seat.node } : undefined);
      waiting.set(matchId, { game, to: target.node });
      log.info({ game, matchId, tick: room.tick, to: target.node, players: room.seats.map((s) => s.playerId) }, "match handed over: its players move");
    }
    let moved = rooms.length - waiting.size;
    const until = Math.min(deadline, Date.now() + ADOPT_WAIT_MS);
    while (waiting.size && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      for (const [matchId, { game }] of [...waiting]) {
        const match = await this.options.store.getMatch(game, matchId).catch(() => undefined);
        if (match === undefined || match?.host === node) continue;
        waiting.delete(matchId);
        host.moved(matchId);
        moved++;
      }
    }
    // Still in this node's set (and in `hosted`, so that no reconciliation ends them) until its lease goes.
    for (const [matchId, { game, to }] of waiting) {
      log.warn({ game, matchId, to }, "match not adopted before the drain's deadline: left to the lapsed-host path");
    }
    log.info({ moved, left: waiting.size, ms: Date.now() - started }, "draining: matches handed over");
    return { moved, left: waiting.size };
  }

  /** The target with the most headroom in this region (any region when none is here); each match given counts against it. */
  private pick(targets: Target[]): Target {
    const local = targets.filter((t) => t.region === this.options.region);
    const pool = local.length ? local : targets;
    const best = pool.reduce((a, b) => (b.headroom > a.headroom ? b : a));
    best.headroom -= 2;
    return best;
  }
}
