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

/** Several nodes: a Redis channel per node (`<prefix>:relay:<node>`), published to directly. */
export class RedisRelay implements NodeRelay {
  private handler: (message: RelayMessage) => void = () => undefined;
  private readonly channel: string;

  constructor(
    private readonly pub: Redis | Cluster,
    private readonly sub: Redis | Cluster,
    private readonly prefix: string,
    node: string,
  ) {
    this.channel = `${prefix}:relay:${node}`;
    void this.sub.subscribe(this.channel).catch(() => undefined);
    this.sub.on("message", (channel: string, text: string) => {
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
    void this.pub.publish(`${this.prefix}:relay:${node}`, JSON.stringify(message)).catch(() => undefined);
  }

  onMessage(handler: (message: RelayMessage) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    await this.sub.unsubscribe(this.channel).catch(() => undefined);
  }
}
