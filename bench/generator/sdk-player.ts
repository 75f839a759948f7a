import { performance } from "node:perf_hooks";
import type { GameBot } from "../../game-rooms/games/index.ts";
import { connect, type ArenaClient } from "../../clients/sdk/index.ts";
import { InputClock, type Behaviour, type BenchPlayer, type PlayerHooks, type Tally } from "./tally.ts";

const BENIGN = new Set(["UNKNOWN_MATCH", "NOT_IN_MATCH", "ALREADY_QUEUED"]);

/** How a bench player plays its game: the game's own bot, and whether inputs need no answer (real time). */
export interface Play {
  decide: GameBot<unknown, unknown>;
  realtime: boolean;
}

/**
 * A player built on the SDK (socket.io-client), doing what `WirePlayer` does for any game: the
 * reference client. Its inputs are the game's bot's; a turn-based game's are always answered.
 */
export class SdkPlayer implements BenchPlayer {
  private statesSeen = 0;
  private readonly clock: InputClock;

  private constructor(
    private readonly client: ArenaClient,
    private readonly tally: Tally,
    private readonly behaviour: Behaviour,
    hooks: PlayerHooks,
    private readonly play: Play,
  ) {
    this.clock = new InputClock(tally);
    client.on("found", (found) => {
      tally.found++;
      hooks.found?.(this, found.matchId);
      if (behaviour.ready) client.ready(found.matchId).catch((error: { code?: string }) => this.failed(error));
    });
    client.on("start", () => {
      this.statesSeen = 0;
      this.clock.reset();
      tally.started++;
      hooks.started?.(this);
    });
    client.on("end", () => {
      tally.ended++;
      hooks.ended?.(this);
      if (behaviour.requeue) this.join();
    });
    client.on("cancelled", (cancelled) => {
      if (cancelled.requeued) return;
      hooks.dropped?.(this);
      if (behaviour.requeue) this.join();
    });
    client.on("status", (status) => {
      if (status === "disconnected" || status === "replaced") tally.disconnects++;
    });
    client.on("state", (payload) => this.onState(payload.tick, payload.state));
  }

  get matchId(): string | undefined {
    return this.client.matchId;
  }

  get seat(): number {
    return this.client.seat ?? 0;
  }

  static async connect(url: string, game: string, token: string, tally: Tally, behaviour: Behaviour, hooks: PlayerHooks, play: Play): Promise<SdkPlayer> {
    const client = connect({ url, game, token, autoReady: false, reconnect: false });
    await client.connected();
    tally.connected++;
    return new SdkPlayer(client, tally, behaviour, hooks, play);
  }

  join(): void {
    // one region on loopback: measuring it would only add HTTP requests to the load being measured
    this.client
      .queue({ latencies: false, ...(this.behaviour.mode ? { mode: this.behaviour.mode } : {}) })
      .catch((error: { code?: string }) => this.failed(error));
  }

  leaveQueue(): void {
    this.client.leave().catch((error: { code?: string }) => this.failed(error));
  }

  leaveMatch(): void {
    if (this.client.matchId) this.client.forfeit().catch(() => undefined);
  }

  close(): void {
    this.client.close();
  }

  private failed(error: { code?: string }): void {
    if (!BENIGN.has(error.code ?? "")) this.tally.error(error.code ?? "?");
  }

  private onState(tick: number, view: unknown): void {
    const now = performance.now();
    // The SDK acknowledges states by itself, every `ackEvery` ticks.
    this.tally.statesReceived++;
    if (tick % this.client.ackEvery === 0) this.tally.stateAcksSent++;
    this.clock.state(tick, now);
    if (!this.behaviour.inputs || !this.client.matchId || this.client.seat === undefined) return;
    // Real-time inputs go out every `inputEvery` states; a turn-based game's bot looks at every state (one a move).
    if (this.play.realtime && ++this.statesSeen % this.behaviour.inputEvery !== 0) return;
    const input = this.play.decide(view, this.client.seat, Math.random);
    if (input === undefined) return;
    const sentAt = performance.now();
    this.tally.inputsSent++;
    if (this.play.realtime && !this.behaviour.inputAcks) {
      this.client.sendInput(input);
      return;
    }
    this.client
      .input(input)
      .then((applied) => {
        this.tally.inputAcks++;
        this.clock.applied(applied, sentAt);
      })
      .catch((error: { code?: string }) => this.failed(error));
  }
}
