import type { Cluster, Redis } from "ioredis";
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
export class RedisRelay implements NodeRelay {
  private readonly listeners: ((message: RelayMessage) => void)[] = [];
  private readonly channel: string;

  constructor(
    private readonly pub: Redis | Cluster,
    private readonly sub: Redis | Cluster,
    private readonly prefix: string,
    node: string,
    private readonly sharded = false,
  ) {
    this.channel = `${prefix}:relay:${node}`;
    void (sharded ? this.sub.ssubscribe(this.channel) : this.sub.subscribe(this.channel)).catch(() => undefined);
    this.sub.on(sharded ? "smessage" : "message", (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let message: RelayMessage;
      try {
        message = JSON.parse(text) as RelayMessage;
      } catch {
        return;
      }
      for (const listener of this.listeners) listener(message);
    });
  }

  send(node: string, message: RelayMessage): void {
    const channel = `${this.prefix}:relay:${node}`;
    const text = JSON.stringify(message);
    void (this.sharded ? this.pub.spublish(channel, text) : this.pub.publish(channel, text)).catch(() => undefined);
  }

  onMessage(listener: (message: RelayMessage) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    await (this.sharded ? this.sub.sunsubscribe(this.channel) : this.sub.unsubscribe(this.channel)).catch(() => undefined);
  }
}
