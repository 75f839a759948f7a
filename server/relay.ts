import type { Cluster, Redis } from "ioredis";
import { Counter, type Registry } from "prom-client";
import type { NodeRelay, RelayMessage } from "../protocol/index.ts";

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
  };
}

export class RedisRelay implements NodeRelay {
  private readonly listeners: ((message: RelayMessage) => void)[] = [];
  private readonly channel: string;
  /** Messages waiting for the end of this turn of the event loop, per destination node. */
  private readonly batches = new Map<string, RelayMessage[]>();
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
      const channel = `${this.prefix}:relay:${node}`;
      const text = JSON.stringify(batch);
      this.counters.publishes.inc({ direction: "out" });
      this.counters.messages.inc({ direction: "out" }, batch.length);
      this.sent.publishes++;
      this.sent.messages += batch.length;
      void (this.sharded ? this.pub.spublish(channel, text) : this.pub.publish(channel, text)).catch(() => undefined);
    }
    this.batches.clear();
  }

  onMessage(listener: (message: RelayMessage) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.flush();
    await (this.sharded ? this.sub.sunsubscribe(this.channel) : this.sub.unsubscribe(this.channel)).catch(() => undefined);
  }
}
