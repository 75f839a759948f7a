import { randomUUID } from "node:crypto";
import type { Matchmaker, MatchmakingStore } from "../../matchmaker/index.ts";
import type { Logger } from "../logger.ts";
import type { SocketPlayerChannel } from "./player-channel.ts";
import type { PlayerPlaces } from "./player-places.ts";

/**
 * Redis without persistence forgets everything when it restarts. Each node knows its own players'
 * places (queued, or in a ready check: `PlayerPlaces`), watches the store's epoch, and when the epoch
 * changes it rebuilds what it knows: sessions are reopened, queued players go back in their queue
 * with the time they had waited, and players in a vanished ready check are told
 * (`match:cancelled`, requeued) rather than left waiting.
 */
export class StoreRecovery {
  private epoch: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<MatchmakingStore, "epoch">,
    private readonly matchmaker: Matchmaker,
    private readonly channel: SocketPlayerChannel,
    private readonly places: PlayerPlaces,
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
    for (const [game, socket] of [...this.channel.sessions()]) {
      const { playerId, name, generation } = socket.data;
      const seeker = { game, playerId, name, generation };
      // Numbering begins anew in the emptied store, above where it was (lua/prelude.lua's `last_stamp`).
      const opened = await this.matchmaker.sessionOpened(seeker);
      this.channel.sessionOpened(socket, opened.seq);
      sessions++;
      const place = this.places.of(socket);
      if (!place?.ticket) continue;
      const { ticketId, mode, enqueuedAt, latencies } = place.ticket;
      await this.matchmaker.join(seeker, mode, { ticketId, enqueuedAt }, latencies).catch(() => undefined);
      requeued++;
      if (place.readyCheck)
        this.channel.toPlayerHere(game, playerId, "match:cancelled", { matchId: place.readyCheck, reason: "ready_timeout", requeued: true });
    }
    this.log.info({ sessions, requeued, node: this.node }, "players rebuilt after the store lost its data");
  }
}
