import { randomUUID } from "node:crypto";
import type { Matchmaker, MatchmakingStore } from "../matchmaker/index.ts";
import type { Logger } from "./logger.ts";
import type { ArenaNamespace, ArenaSocket } from "./types.ts";

/** What this node remembers of a local player's place in the matchmaking, to rebuild it if the store forgets. */
interface LocalPlace {
  ticket?: { ticketId: string; mode: string; enqueuedAt: number };
  readyCheck?: string;
}

/**
 * Redis without persistence forgets everything when it restarts. Each node keeps a small picture of
 * its own players (queued, or in a ready check) from the events it sends them, watches the store's
 * epoch, and when the epoch changes it rebuilds what it knows: sessions are reopened, queued players
 * go back in their queue with the time they had waited, and players in a vanished ready check are
 * told (`match:cancelled`, requeued) rather than left waiting.
 */
export class StoreRecovery {
  private readonly places = new WeakMap<ArenaSocket, LocalPlace>();
  private epoch: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: MatchmakingStore,
    private readonly matchmaker: Matchmaker,
    private readonly namespaces: Map<string, ArenaNamespace>,
    private readonly node: string,
    private readonly log: Logger,
  ) {}

  /** Learns the store's epoch now, then checks it every `intervalMs`. */
  async start(intervalMs = 1000): Promise<void> {
    this.timer = setInterval(() => void this.check().catch(() => undefined), intervalMs);
    this.timer.unref();
    await this.check().catch(() => undefined);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Follows what a local socket is told, to know its place. */
  watch(socket: ArenaSocket): void {
    const place: LocalPlace = {};
    this.places.set(socket, place);
    socket.onAnyOutgoing((event: string, payload: { matchId?: string; requeued?: boolean }) => {
      if (event === "match:found") place.readyCheck = payload.matchId;
      else if (event === "match:cancelled") {
        delete place.readyCheck;
        if (!payload.requeued) delete place.ticket;
      } else if (event === "match:start" || event === "match:resumed") {
        delete place.readyCheck;
        delete place.ticket;
      }
    });
  }

  queued(socket: ArenaSocket, ticket: { ticketId: string; mode: string; enqueuedAt: number }): void {
    const place = this.places.get(socket);
    if (place) place.ticket = ticket;
  }

  left(socket: ArenaSocket): void {
    const place = this.places.get(socket);
    if (!place) return;
    delete place.ticket;
    delete place.readyCheck;
  }

  private async check(): Promise<void> {
    const current = await this.store.epoch(randomUUID());
    if (this.epoch === undefined || current === this.epoch) {
      this.epoch = current;
      return;
    }
    this.epoch = current;
    this.log.warn("the matchmaking store lost its data (Redis restarted empty?): rebuilding this node's players");
    await this.matchmaker.heartbeatNow();
    let sessions = 0;
    let requeued = 0;
    for (const [game, nsp] of this.namespaces) {
      for (const socket of nsp.sockets.values()) {
        const { playerId, name, generation } = socket.data;
        const seeker = { game, playerId, name, generation };
        await this.matchmaker.sessionOpened(seeker);
        sessions++;
        const place = this.places.get(socket);
        if (!place?.ticket) continue;
        const { ticketId, mode, enqueuedAt } = place.ticket;
        await this.matchmaker.join(seeker, mode, { ticketId, enqueuedAt }).catch(() => undefined);
        requeued++;
        if (place.readyCheck) {
          socket.emit("match:cancelled", { matchId: place.readyCheck, reason: "ready_timeout", requeued: true });
          delete place.readyCheck;
        }
      }
    }
    this.log.info({ sessions, requeued, node: this.node }, "players rebuilt after the store lost its data");
  }
}
