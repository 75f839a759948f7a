import { ErrorCode } from "../../protocol/index.ts";
import { readFileSync } from "node:fs";
import { ServerResponse } from "node:http";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../logger.ts";

/** Readiness turns 503 from this share of the cap, so a load balancer sends new players elsewhere first. */
export const NEAR_CAP = 0.9;

/** This process's open-file limit (soft, after Node.js raised it), or undefined where /proc cannot tell. */
export function fileDescriptorLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.trim().split(/\s+/)[3];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * The default cap below a descriptor limit: 10% (at least 64) stays free for Redis, files, the
 * metrics port and the HTTP requests that are told 503, so a full node still answers.
 */
export function connectionsBelow(fdLimit: number | undefined): number {
  if (fdLimit === undefined) return 60_000;
  return Math.max(1, fdLimit - Math.max(64, Math.ceil(fdLimit * 0.1)));
}

/** An Engine.IO transport, as far as the cap looks: on uWebSockets.js its `socket` is the uWS WebSocket once open. */
interface Transport {
  name: string;
  socket?: { getUserData?(): { response?: unknown } };
  once(event: "ready", listener: () => void): unknown;
}

/** What the cap needs of the engine: its open client count, its request middlewares, its new connections. */
interface Engine {
  clientsCount: number;
  use(middleware: (req: { _query?: Record<string, string> }, res: unknown, next: (error?: unknown) => void) => void): void;
  on(event: "connection", listener: (conn: { transport: Transport; request: { res?: unknown } }) => void): unknown;
}

/**
 * engine.io on uWebSockets.js wraps a request in a `ResponseWrapper` when the engine has a
 * middleware (the cap is one), and keeps the upgrade's wrapper for the WebSocket's life only to
 * emit "close" on it, which nothing here listens to: about 190 bytes a connection, let go once open.
 */
function forgetUpgradeResponse(transport: Transport, request: { res?: unknown }): void {
  if (transport.name !== "websocket") return;
  // Once open: engine.io answers the upgrade through `request.res` until then.
  const release = () => {
    try {
      const data = transport.socket?.getUserData?.();
      if (!data) return; // not uWebSockets.js
      data.response = undefined;
      // The request keeps it too: Socket.IO keeps the request as the handshake's.
      request.res = undefined;
    } catch {
      // Closed already: uWebSockets.js refuses any access to a closed WebSocket, and the wrapper went with it.
    }
  };
  if (transport.socket) release();
  else transport.once("ready", release);
}

const BODY = JSON.stringify({ code: ErrorCode.UNAVAILABLE, message: "this node is at its connection limit; try another" });

/** Answers 503 on any of engine.io's response kinds: a uws wrapper, a Node response, or a raw upgrade socket. */
function refuse(res: unknown): void {
  if (res instanceof ServerResponse || (res as { constructor?: { name?: string } }).constructor?.name === "ResponseWrapper") {
    const http = res as ServerResponse;
    http.writeHead(503, { "content-type": "application/json", connection: "close" });
    http.end(BODY);
    return;
  }
  const socket = (res as { socket?: { writable: boolean; end(data: string): void; destroy(): void } }).socket;
  if (socket?.writable) {
    socket.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`);
  } else socket?.destroy();
}

/**
 * At most `max` Engine.IO connections on this node. A new one past it (a handshake, by polling or
 * WebSocket upgrade, without a session id) is answered 503 before any work is done for it; readiness
 * turns 503 from 90% of the cap. Reaching the cap is logged once, until the node is below 90% again.
 */
export class ConnectionCap {
  private engine: Engine | undefined;
  private atCap = false;
  refused = 0;

  constructor(
    readonly max: number,
    private readonly log: Logger,
    registry?: Registry,
  ) {
    const cap = this;
    // The node's own count of its connections: on uWebSockets.js they are no Node.js handles.
    new Gauge({
      name: "arena_open_connections",
      help: "Open Engine.IO connections (WebSocket or polling) on this node; MAX_CONNECTIONS caps them",
      registers: registry ? [registry] : [],
      collect() {
        this.set(cap.open);
      },
    });
    new Gauge({ name: "arena_max_connections", help: "MAX_CONNECTIONS of this node", registers: registry ? [registry] : [] }).set(max);
  }

  /** Open connections now. */
  get open(): number {
    return this.engine?.clientsCount ?? 0;
  }

  /** True from 90% of the cap: /readyz says 503. */
  near(): boolean {
    const open = this.open;
    if (this.atCap && open < this.max * NEAR_CAP) {
      this.atCap = false;
      this.log.info({ open, max: this.max }, "connections below 90% of MAX_CONNECTIONS again");
    }
    return open >= this.max * NEAR_CAP;
  }

  /** Guards an engine's handshakes. */
  guard(engine: Engine): void {
    this.engine = engine;
    // A connection that starts on polling and upgrades keeps no wrapper of its upgrade: only the first request's is kept.
    engine.on("connection", (conn) => forgetUpgradeResponse(conn.transport, conn.request));
    engine.use((req, res, next) => {
      if (req._query?.sid !== undefined || engine.clientsCount < this.max) {
        next();
        return;
      }
      this.refused++;
      if (!this.atCap) {
        this.atCap = true;
        this.log.warn({ open: engine.clientsCount, max: this.max }, "MAX_CONNECTIONS reached: refusing new connections with 503");
      }
      refuse(res);
    });
  }
}
