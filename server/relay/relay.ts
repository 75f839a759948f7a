import type { Cluster, Redis } from "ioredis";
import type { NodeRelay, RelayMessage } from "../../game-rooms/index.ts";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../logger.ts";

/** A single node: only messages to itself are delivered. */
export class LocalRelay implements NodeRelay {
  private readonly listeners: ((message: RelayMessage) => void)[] = [];

  constructor(private readonly node: string) {}

  send(node: string, message: RelayMessage): void {
    if (node === this.node) queueMicrotask(() => this.deliver(message));
  }

  onMessage(listener: (message: RelayMessage) => void): void {
    this.listeners.push(listener);
  }

  private deliver(message: RelayMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  async close(): Promise<void> {}
}

/**
 * Several nodes: a Redis channel per node (`<prefix>:relay:<node>`), published to directly. On a
 * Redis Cluster it is a sharded channel (SPUBLISH / SSUBSCRIBE): the shard that owns the channel's
 * slot carries all of a node's messages, so they arrive in the order sent, and no other shard sees
 * them (classic PUBLISH goes to a random master and over the cluster bus to all: out of order).
 */
/** What the relay counts: messages, and the Redis publishes that carried them (one per node per batch). */
export interface RelayCounters {
  messages: Counter<"direction">;
  publishes: Counter<"direction">;
  /** Messages that found no subscriber at first: delivered on a retry, or dropped after `HOLD_MS`. */
  held: Counter<"outcome">;
}

export function createRelayCounters(registry: Registry): RelayCounters {
  return {
    messages: new Counter({
      name: "arena_relay_messages_total",
      help: "Messages between nodes through Redis",
      labelNames: ["direction"],
      registers: [registry],
    }),
    publishes: new Counter({
      name: "arena_relay_publishes_total",
      help: "Redis publishes carrying messages between nodes (a batch per node per turn of the event loop)",
      labelNames: ["direction"],
      registers: [registry],
    }),
    held: new Counter({
      name: "arena_relay_held_messages_total",
      help: "Messages to a node whose relay subscription was down (reconnecting): delivered late, or dropped after 10 s",
      labelNames: ["outcome"],
      registers: [registry],
    }),
  };
}

/** How long messages to a node without a subscriber are kept and retried before they are dropped. */
export const HOLD_MS = 10_000;
/** How often they are retried. */
const RETRY_EVERY_MS = 50;
/** At most this many are kept per node (a node that is gone is sent states until its players are detached). */
const HOLD_AT_MOST = 10_000;

/** Messages to one node that found no subscriber, in the order sent; what follows waits behind them. */
interface Held {
  messages: RelayMessage[];
  /** Where each match's state is in `messages`: a newer one takes its place. */
  stateAt: Map<string, number>;
  since: number;
  timer: NodeJS.Timeout;
  retrying: boolean;
  dropped: number;
}

/**
 * Redis Pub/Sub keeps nothing for a subscriber that is not there: a message published while the
 * receiving node's relay connection reconnects (a cut, a Redis restart) would be lost, a
 * `match:end` among them, leaving its player in a match forever. A publish answers how many
 * subscribers got it; one that reached none is held, with everything after it to that node, and
 * retried until the node's subscription is back (in order; a state only in its newest form), for
 * at most `HOLD_MS`: a node that stays away is gone.
 */
export class RedisRelay implements NodeRelay {
  private readonly listeners: ((message: RelayMessage) => void)[] = [];
  private readonly channel: string;
  /** Messages waiting for the end of this turn of the event loop, per destination node. */
  private readonly batches = new Map<string, RelayMessage[]>();
  /** Messages held per destination node whose subscription was not there. */
  private readonly held = new Map<string, Held>();
  private flushing = false;
  /** Publishes and messages sent so far (`GET /metrics/latency`). */
  readonly sent = { publishes: 0, messages: 0 };

  constructor(
    private readonly pub: Redis | Cluster,
    private readonly sub: Redis | Cluster,
    private readonly prefix: string,
    node: string,
    private readonly sharded: boolean,
    private readonly counters: RelayCounters,
    private readonly log?: Logger,
    private readonly holdMs = HOLD_MS,
  ) {
    this.channel = `${prefix}:relay:${node}`;
    void (sharded ? this.sub.ssubscribe(this.channel) : this.sub.subscribe(this.channel)).catch(() => undefined);
    this.sub.on(sharded ? "smessage" : "message", (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let batch: RelayMessage[];
      try {
        batch = JSON.parse(text) as RelayMessage[];
      } catch {
        return;
      }
      if (!Array.isArray(batch)) return;
      this.counters.publishes.inc({ direction: "in" });
      this.counters.messages.inc({ direction: "in" }, batch.length);
      for (const message of batch) for (const listener of this.listeners) listener(message);
    });
  }

  /** Queued, and sent with every other message for that node at the end of this turn of the event loop (a tick's states go together). */
  send(node: string, message: RelayMessage): void {
    const batch = this.batches.get(node);
    if (batch) batch.push(message);
    else this.batches.set(node, [message]);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    for (const [node, batch] of this.batches) {
      this.counters.messages.inc({ direction: "out" }, batch.length);
      this.sent.messages += batch.length;
      const held = this.held.get(node);
      if (held) this.hold(held, batch);
      else void this.publish(node, batch).then((received) => received || this.holdFor(node, batch));
    }
    this.batches.clear();
  }

  /**
   * Publishes a batch; true when a subscriber (the node) got it. Publishes of held messages are
   * counted as held (delivered or dropped), not again as sent.
   */
  private async publish(node: string, batch: RelayMessage[], again = false): Promise<boolean> {
    const channel = `${this.prefix}:relay:${node}`;
    const text = JSON.stringify(batch);
    if (!again) {
      this.counters.publishes.inc({ direction: "out" });
      this.sent.publishes++;
    }
    const receivers = await (this.sharded ? this.pub.spublish(channel, text) : this.pub.publish(channel, text)).catch(() => 0);
    return Number(receivers) > 0;
  }

  /** A batch to `node` reached no one: it is held, and so is everything after it, until a retry gets through. */
  private holdFor(node: string, batch: RelayMessage[]): void {
    const existing = this.held.get(node);
    if (existing) {
      // Sent before the first answer of none came back: it goes behind what is held.
      this.hold(existing, batch);
      return;
    }
    const held: Held = {
      messages: [],
      stateAt: new Map(),
      since: Date.now(),
      timer: setInterval(() => this.retry(node, held), RETRY_EVERY_MS),
      retrying: false,
      dropped: 0,
    };
    held.timer.unref();
    this.held.set(node, held);
    this.hold(held, batch);
  }

  private hold(held: Held, batch: RelayMessage[]): void {
    for (const message of batch) {
      // A state is whole: only the newest of a match is worth sending late.
      const older = message.t === "state" ? held.stateAt.get(message.matchId) : undefined;
      if (older !== undefined) held.messages[older] = message;
      else if (held.messages.length >= HOLD_AT_MOST) held.dropped++;
      else {
        if (message.t === "state") held.stateAt.set(message.matchId, held.messages.length);
        held.messages.push(message);
      }
    }
  }

  private retry(node: string, held: Held): void {
    if (held.retrying) return;
    if (Date.now() - held.since > this.holdMs) {
      this.release(node, held);
      const dropped = held.messages.length + held.dropped;
      this.counters.held.inc({ outcome: "dropped" }, dropped);
      this.log?.warn({ to: node, dropped, heldMs: this.holdMs }, "relay messages dropped: the node's subscription did not come back");
      return;
    }
    const sending = held.messages.splice(0);
    held.stateAt.clear();
    if (sending.length === 0) return;
    held.retrying = true;
    void this.publish(node, sending, true).then((received) => {
      held.retrying = false;
      if (!received) {
        // Back in front of what came meanwhile.
        const meanwhile = held.messages.splice(0);
        held.stateAt.clear();
        this.hold(held, sending);
        this.hold(held, meanwhile);
        return;
      }
      this.release(node, held);
      this.counters.held.inc({ outcome: "delivered" }, sending.length);
      this.log?.info({ to: node, messages: sending.length, heldMs: Date.now() - held.since }, "relay messages delivered late: the node's subscription is back");
      // What was held while this retry travelled follows it, in order.
      if (held.messages.length) void this.publish(node, held.messages, true).then((ok) => ok || this.holdFor(node, held.messages));
      if (held.dropped) this.counters.held.inc({ outcome: "dropped" }, held.dropped);
    });
  }

  private release(node: string, held: Held): void {
    clearInterval(held.timer);
    if (this.held.get(node) === held) this.held.delete(node);
  }

  onMessage(listener: (message: RelayMessage) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.flush();
    for (const [node, held] of this.held) this.release(node, held);
    await (this.sharded ? this.sub.sunsubscribe(this.channel) : this.sub.unsubscribe(this.channel)).catch(() => undefined);
  }
}
