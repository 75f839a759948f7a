import type { Cluster, Redis } from "ioredis";
import type { Logger } from "./logger.ts";
import { playerRoom, type ArenaNamespace, type ArenaSocket } from "./types.ts";

/** How long a node remembers the newest generation it heard of for a player. */
const REMEMBER_MS = 30_000;

/**
 * One live connection per player per namespace, across nodes. Each connection draws a generation
 * from a counter shared by all nodes (Redis INCR, or a local counter on a single node); a newer
 * generation replaces every older connection of the same player, wherever it is, and a stale
 * takeover message can never replace a newer connection.
 */
export class SessionTakeover {
  private localGeneration = 0;
  private readonly newest = new Map<string, { generation: number; at: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis | Cluster | undefined,
    private readonly key: string,
    private readonly log: Logger,
  ) {
    this.sweeper = setInterval(() => this.forget(), REMEMBER_MS);
    this.sweeper.unref();
  }

  /** Draws the generation of a new connection; throws when Redis is unreachable. */
  async nextGeneration(): Promise<number> {
    if (!this.redis) return ++this.localGeneration;
    return this.redis.incr(this.key);
  }

  /** Listens for takeovers announced by other nodes in this namespace. */
  watch(nsp: ArenaNamespace): void {
    nsp.on("session:takeover", ({ playerId, generation }) => {
      if (typeof playerId !== "string" || typeof generation !== "number") return;
      this.remember(nsp.name, playerId, generation);
      this.evictOlder(nsp, playerId, generation);
    });
  }

  /** Makes `socket` the player's live connection: older ones here and on other nodes are told and dropped. */
  takeOver(nsp: ArenaNamespace, socket: ArenaSocket): boolean {
    const { playerId, generation } = socket.data;
    const newer = this.newest.get(`${nsp.name}|${playerId}`);
    if (newer && newer.generation > generation) {
      this.replace(socket);
      return false;
    }
    this.remember(nsp.name, playerId, generation);
    this.evictOlder(nsp, playerId, generation);
    if (this.redis) nsp.serverSideEmit("session:takeover", { playerId, generation });
    return true;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private evictOlder(nsp: ArenaNamespace, playerId: string, generation: number): void {
    const room = nsp.adapter.rooms.get(playerRoom(playerId));
    if (!room) return;
    for (const sid of [...room]) {
      const socket = nsp.sockets.get(sid);
      if (socket && socket.data.generation < generation) this.replace(socket);
    }
  }

  private replace(socket: ArenaSocket): void {
    this.log.info({ game: socket.data.game, playerId: socket.data.playerId, sid: socket.id }, "session replaced by a newer connection");
    socket.emit("session:replaced", {});
    socket.disconnect(true);
  }

  private remember(nsp: string, playerId: string, generation: number): void {
    const key = `${nsp}|${playerId}`;
    const known = this.newest.get(key);
    if (!known || known.generation < generation) this.newest.set(key, { generation, at: Date.now() });
  }

  private forget(): void {
    const cutoff = Date.now() - REMEMBER_MS;
    for (const [key, entry] of this.newest) if (entry.at < cutoff) this.newest.delete(key);
  }
}
