import type { Cluster, Redis } from "ioredis";

/** Messages between nodes about running rooms: one hop each way, to one node. */
export type RelayMessage =
  | { t: "req"; id: string; from: string; op: "input" | "leave"; game: string; matchId: string; playerId: string; seq?: number; input?: unknown }
  | { t: "res"; id: string; ok: true; tick: number }
  | { t: "res"; id: string; ok: false; code: string; message: string }
  | { t: "state"; from: string; game: string; matchId: string; players: string[]; tick: number; state: unknown }
  | { t: "ack"; matchId: string; playerId: string; tick: number }
  | { t: "attach"; matchId: string; playerId: string; node: string }
  | { t: "detach"; matchId: string; playerId: string };

/** Sends relay messages to a node by name, and receives this node's. */
export interface NodeRelay {
  send(node: string, message: RelayMessage): void;
  onMessage(handler: (message: RelayMessage) => void): void;
  close(): Promise<void>;
}

/** A single node: only messages to itself are delivered. */
export class LocalRelay implements NodeRelay {
  private handler: (message: RelayMessage) => void = () => undefined;

  constructor(private readonly node: string) {}

  send(node: string, message: RelayMessage): void {
    if (node === this.node) queueMicrotask(() => this.handler(message));
  }

  onMessage(handler: (message: RelayMessage) => void): void {
    this.handler = handler;
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
  private handler: (message: RelayMessage) => void = () => undefined;
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
      this.handler(message);
    });
  }

  send(node: string, message: RelayMessage): void {
    const channel = `${this.prefix}:relay:${node}`;
    const text = JSON.stringify(message);
    void (this.sharded ? this.pub.spublish(channel, text) : this.pub.publish(channel, text)).catch(() => undefined);
  }

  onMessage(handler: (message: RelayMessage) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    await (this.sharded ? this.sub.sunsubscribe(this.channel) : this.sub.unsubscribe(this.channel)).catch(() => undefined);
  }
}
