import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";

/** Where a proxy forwards to. */
type Target = { host: string; port: number };

/** One client connection and its upstream, with what the proxy holds back of each direction. */
interface Link {
  client: Socket;
  upstream: Socket;
}

/** What waits to be written to one socket, in order. */
interface Queue {
  items: { due: number; chunk: Buffer; then?: (() => void) | undefined }[];
  lastDue: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A TCP proxy on loopback between nodes and Redis that injects faults: cut every connection, cut
 * one right after a command is forwarded (before its reply comes back), add latency, black-hole
 * traffic for a while (held, as TCP retransmission would deliver it late), or refuse connections.
 */
export class FaultProxy {
  private readonly links = new Set<Link>();
  private readonly queues = new WeakMap<Socket, Queue>();
  private delayMs = 0;
  private jitterMs = 0;
  private spike = { chance: 0, ms: 0 };
  private random: () => number = Math.random;
  private holdUntil = 0;
  private refuseUntil = 0;
  private cutAfter: { marker: string; resolve: () => void } | undefined;
  /** Connections cut by `cutAll`, `down` or `cutAfterCommand`. */
  cuts = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /**
   * `listen`: the address it listens on (loopback unless said; `0.0.0.0` for processes in network
   * namespaces). Given several targets, it is also a load balancer that fails over: each connection
   * goes to the first of them that accepts it, in order (a dead server refuses at once).
   */
  static async start(target: Target | Target[], listen = "127.0.0.1"): Promise<FaultProxy> {
    const targets = Array.isArray(target) ? target : [target];
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, listen, resolve));
    const proxy = new FaultProxy(server, (server.address() as { port: number }).port);
    server.on("connection", (client) => (targets.length === 1 ? proxy.accept(client, targets[0]!) : proxy.acceptFirstUp(client, targets)));
    return proxy;
  }

  /** `url` with this proxy's address in place of the target's (`host`: how the caller reaches it, loopback unless said). */
  url(scheme = "redis", host = "127.0.0.1"): string {
    return `${scheme}://${host}:${this.port}`;
  }

  /** A connection to the first of `targets` (from `i`) that accepts it; the client's bytes wait meanwhile. */
  private acceptFirstUp(client: Socket, targets: Target[], i = 0): void {
    if (Date.now() < this.refuseUntil) {
      client.destroy();
      return;
    }
    if (i === 0) {
      client.pause();
      client.on("error", () => undefined);
    }
    const target = targets[i]!;
    const upstream = tcpConnect(target.port, target.host);
    const failed = () => {
      upstream.destroy();
      if (i + 1 < targets.length && !client.destroyed) this.acceptFirstUp(client, targets, i + 1);
      else client.destroy();
    };
    upstream.once("error", failed);
    upstream.once("connect", () => {
      upstream.off("error", failed);
      if (client.destroyed) return void upstream.destroy();
      this.accept(client, target, upstream);
      client.resume();
    });
  }

  private accept(client: Socket, target: Target, upstream?: Socket): void {
    if (Date.now() < this.refuseUntil) {
      client.destroy();
      upstream?.destroy();
      return;
    }
    client.setNoDelay(true);
    upstream ??= tcpConnect(target.port, target.host);
    upstream.setNoDelay(true);
    const link: Link = { client, upstream };
    this.links.add(link);
    const drop = () => {
      this.links.delete(link);
      for (const socket of [client, upstream]) clearTimeout(this.queues.get(socket)?.timer);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      const cut = this.cutAfter && chunk.includes(this.cutAfter.marker) ? this.cutAfter : undefined;
      if (cut) this.cutAfter = undefined;
      this.forward(chunk, upstream, () => {
        if (!cut) return;
        // The command reached Redis; its reply never reaches the client.
        upstream.pause();
        this.cuts++;
        setTimeout(() => {
          drop();
          cut.resolve();
        }, 20);
      });
    });
    upstream.on("data", (chunk: Buffer) => this.forward(chunk, client));
  }

  /** Writes after the configured latency and any black hole, in the order chunks came. */
  private forward(chunk: Buffer, to: Socket, then?: () => void): void {
    const now = Date.now();
    let queue = this.queues.get(to);
    if (!queue) {
      queue = { items: [], lastDue: 0, timer: undefined };
      this.queues.set(to, queue);
    }
    // Jitter and spikes delay a chunk and, as TCP keeps order, every chunk behind it.
    const extra = this.jitterMs * this.random() + (this.spike.chance > 0 && this.random() < this.spike.chance ? this.spike.ms : 0);
    const due = Math.max(now + this.delayMs + extra, this.holdUntil, queue.lastDue);
    queue.lastDue = due;
    queue.items.push({ due, chunk, then });
    this.drain(to, queue);
  }

  private drain(to: Socket, queue: Queue): void {
    if (queue.timer) return;
    const now = Date.now();
    while (queue.items.length && queue.items[0]!.due <= now) {
      const item = queue.items.shift()!;
      if (!to.destroyed) to.write(item.chunk);
      item.then?.();
    }
    if (!queue.items.length) return;
    queue.timer = setTimeout(() => {
      queue.timer = undefined;
      this.drain(to, queue);
    }, queue.items[0]!.due - now);
  }

  /** Cuts every open connection (both sides see it close). */
  cutAll(): void {
    for (const link of [...this.links]) {
      this.cuts++;
      link.client.destroy();
      link.upstream.destroy();
    }
    this.links.clear();
  }

  /** Cuts every connection and refuses new ones for `ms`: Redis is unreachable. */
  down(ms: number): void {
    this.refuseUntil = Date.now() + ms;
    this.cutAll();
  }

  /**
   * Cuts the connection that next sends a command containing `marker`, right after forwarding it:
   * Redis runs it, the client never hears back. Resolves once it is cut.
   */
  cutAfterCommand(marker: string): Promise<void> {
    return new Promise((resolve) => (this.cutAfter = { marker, resolve }));
  }

  /** Adds `ms` of latency to every chunk, both ways (0 to stop). */
  latency(ms: number): void {
    this.delayMs = ms;
  }

  /**
   * A network's shape, each way: `latencyMs` plus up to `jitterMs` more (uniform), and with
   * `spikeChance` a chunk waits `spikeMs` longer (with the chunks behind it). `random` makes it repeatable.
   */
  shape(options: { latencyMs: number; jitterMs?: number; spikeChance?: number; spikeMs?: number; random?: () => number }): void {
    this.delayMs = options.latencyMs;
    this.jitterMs = options.jitterMs ?? 0;
    this.spike = { chance: options.spikeChance ?? 0, ms: options.spikeMs ?? 0 };
    this.random = options.random ?? Math.random;
  }

  /** Holds all traffic, both ways, for `ms`; connections stay open, nothing gets through until then. */
  blackHole(ms: number): void {
    this.holdUntil = Date.now() + ms;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
