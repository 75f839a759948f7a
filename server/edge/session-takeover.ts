import type { Cluster, Redis } from "ioredis";
import type { NodeRelay } from "../../game-rooms/index.ts";
import type { PlayerId } from "../../protocol/index.ts";
import type { Logger } from "../logger.ts";
import type { ArenaNamespace, ArenaSocket } from "./types.ts";

/** INCR, raised to a floor (the clock) when below it. */
const NEXT_GENERATION = `local v = redis.call('INCR', KEYS[1])
local now = redis.call('TIME')
local floor = now[1] .. string.format('%06d', tonumber(now[2]))
if v < tonumber(floor) then
  redis.call('SET', KEYS[1], floor)
  return tonumber(floor)
end
return v`;

/** How long a node remembers the newest generation it heard of for a player (at least; at most twice). */
const REMEMBER_MS = 30_000;

/**
 * One live connection per player per namespace, across nodes. Each connection draws a generation
 * from a counter shared by all nodes (Redis INCR, or a local counter on a single node); a newer
 * generation replaces every older connection of the same player. On this node that happens at
 * once; on another node, the store names the node that held the session before (`openSession`),
 * and only that node is told, through the relay. A stale takeover never replaces a newer connection.
 */
export class SessionTakeover {
  private localGeneration = 0;
  /**
   * The newest generation heard of per namespace and player (keyed by the player id itself: no key
   * built per connection), in two windows: heard in this one, and in the one before. Each sweep
   * forgets the one before: no time kept per player.
   */
  private newest = new Map<string, Map<string, number>>();
  private before = new Map<string, Map<string, number>>();
  private readonly namespaces = new Map<string, ArenaNamespace>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis | Cluster | undefined,
    private readonly key: string,
    private readonly relay: NodeRelay,
    private readonly node: string,
    private readonly log: Logger,
    /** The player's live connection on this node in a game, if any (`SocketPlayerChannel` knows it). */
    private readonly sessionOf: (game: string, playerId: PlayerId) => ArenaSocket | undefined,
  ) {
    this.sweeper = setInterval(() => this.forget(), REMEMBER_MS);
    this.sweeper.unref();
    relay.onMessage((message) => {
      if (message.t !== "takeover") return;
      const nsp = this.namespaces.get(message.game);
      if (!nsp) return;
      this.remember(nsp.name, message.playerId, message.generation);
      this.evictOlder(nsp, message.playerId, message.generation);
    });
  }

  /**
   * Draws the generation of a new connection; throws when Redis is unreachable. The shared counter
   * never goes below Redis's own clock in microseconds (not the node's, which may be skewed or
   * sit in the same millisecond): when Redis lost it (a restart without persistence), new
   * connections still outrank every connection made before, which keep theirs.
   */
  async nextGeneration(): Promise<number> {
    if (!this.redis) return ++this.localGeneration;
    return Number(await this.redis.eval(NEXT_GENERATION, 1, this.key));
  }

  /** Takes over sessions in this game's namespace. */
  watch(game: string, nsp: ArenaNamespace): void {
    this.namespaces.set(game, nsp);
  }

  /** Makes `socket` the player's live connection on this node: older ones here are told and dropped. */
  takeOver(nsp: ArenaNamespace, socket: ArenaSocket): boolean {
    const { playerId, generation } = socket.data;
    const newer = this.known(nsp.name, playerId);
    if (newer !== undefined && newer > generation) {
      this.replace(socket);
      return false;
    }
    this.remember(nsp.name, playerId, generation);
    this.evictOlder(nsp, playerId, generation);
    return true;
  }

  /** The store says the player's previous session was on `node`: that node drops its older connection. */
  replacedOn(node: string, game: string, playerId: PlayerId, generation: number): void {
    if (node !== this.node) this.relay.send(node, { t: "takeover", game, playerId, generation });
  }

  /** The store holds a newer session of this socket's player: this connection goes. */
  stale(socket: ArenaSocket): void {
    this.replace(socket);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private evictOlder(nsp: ArenaNamespace, playerId: string, generation: number): void {
    // One live connection per player here: an older one, if any, is the one the channel knows.
    const socket = this.sessionOf(nsp.name.slice(1), playerId);
    if (socket && socket.data.generation < generation) this.replace(socket);
  }

  private replace(socket: ArenaSocket): void {
    if (!socket.connected) return;
    this.log.info({ game: socket.data.game, playerId: socket.data.playerId, sid: socket.id }, "session replaced by a newer connection");
    socket.emit("session:replaced", {});
    socket.disconnect(true);
  }

  private known(nsp: string, playerId: string): number | undefined {
    const now = this.newest.get(nsp)?.get(playerId);
    return now ?? this.before.get(nsp)?.get(playerId);
  }

  private remember(nsp: string, playerId: string, generation: number): void {
    const known = this.known(nsp, playerId);
    if (known !== undefined && known >= generation) return;
    let players = this.newest.get(nsp);
    if (!players) this.newest.set(nsp, (players = new Map()));
    players.set(playerId, generation);
  }

  private forget(): void {
    this.before = this.newest;
    this.newest = new Map();
  }
}
