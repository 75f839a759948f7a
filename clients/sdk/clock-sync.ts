import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../../protocol/index.ts";
import type { ServerClock } from "./clock.ts";

/** How many `time:sync` exchanges a new connection starts with, and how often one follows. */
const FIRST_SAMPLES = 5;
const EVERY_MS = 5000;

/**
 * Keeps a `ServerClock` measured on the live connection: `time:sync` five times when it connects,
 * then every five seconds; `synced` hears each new estimate.
 */
export class ClockSync {
  private timer: ReturnType<typeof setInterval> | undefined;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;

  constructor(
    private readonly clock: ServerClock,
    private readonly synced: (offsetMs: number) => void,
  ) {}

  /** Starts on a new connection (a reconnect, a move to another node): its samples replace the old ones. */
  start(socket: Socket<ServerToClientEvents, ClientToServerEvents>): void {
    this.stop();
    this.socket = socket;
    this.clock.reset();
    void (async () => {
      for (let i = 0; i < FIRST_SAMPLES && socket.connected; i++) await this.sample(socket);
      if (this.socket === socket && socket.connected) this.synced(this.clock.offsetMs);
    })();
    this.timer = setInterval(() => {
      if (this.socket === socket && socket.connected) void this.sample(socket).then(() => this.synced(this.clock.offsetMs));
    }, EVERY_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.socket = undefined;
  }

  private async sample(socket: Socket<ServerToClientEvents, ClientToServerEvents>): Promise<void> {
    const sentAt = this.clock.localNow();
    try {
      const answer = await socket.timeout(5000).emitWithAck("time:sync", { clientTime: sentAt });
      if (answer.ok) this.clock.add(sentAt, answer.serverTime, this.clock.localNow());
    } catch {
      // no answer in time: this sample is skipped
    }
  }
}
