import { ErrorCode } from "../../protocol/index.ts";
import { STATUS_CODES } from "node:http";
import type { Server } from "socket.io";
import type { HttpRequest, HttpResponse as UwsResponse, TemplatedApp, us_listen_socket } from "uWebSockets.js";
import { httpError, type HttpResponse } from "../http/http-routes.ts";
import type { HttpHandler, Transport } from "./transport.ts";
import type { Uws } from "./uws-native.ts";

const MAX_BACKPRESSURE = 16 * 1024 * 1024;

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ""}`;
}

function send(res: UwsResponse, answer: HttpResponse, close = false): void {
  res.cork(() => {
    res.writeStatus(statusLine(answer.status));
    for (const [name, value] of Object.entries(answer.headers)) res.writeHeader(name, value);
    res.end(answer.body, close);
  });
}

/** Socket.IO on a uWebSockets.js App (`io.attachApp`), with the HTTP routes on the same port. */
/** uSockets' listen option: fail when another socket holds the port, instead of sharing it. */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;
const LIBUS_LISTEN_DEFAULT = 0;

/**
 * Attaches Socket.IO to a uWebSockets.js app. It listens exclusively unless `reusePort` (an
 * operator's explicit `REUSE_PORT=true`): uWebSockets.js shares ports by default, and two nodes on
 * one port would split the players between them without a word.
 */
export function attachUws(uws: Uws, io: Server, handler: HttpHandler, limit: number, reusePort = false): Transport {
  const app: TemplatedApp = uws.App();
  let listenSocket: us_listen_socket | null = null;

  app.any("/*", (res, req) => {
    const method = req.getMethod().toUpperCase();
    const path = req.getUrl();
    const query = req.getQuery() ?? "";
    const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
    const forwardedFor = forwardedForOf(req);
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const respond = (answer: HttpResponse, close = false) => {
      if (!aborted) send(res, answer, close);
    };
    const run = (body: Buffer) => {
      handler({ method, path, query, body, peer, ...(forwardedFor ? { forwardedFor } : {}) }).then(respond, () =>
        respond(httpError(500, { code: ErrorCode.INTERNAL, message: "internal error" })),
      );
    };
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") {
      run(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    res.onData((chunk, isLast) => {
      if (refused) return;
      size += chunk.byteLength;
      if (size > limit) {
        refused = true;
        respond(httpError(413, { code: ErrorCode.BAD_REQUEST, message: `body larger than ${limit} bytes` }), true);
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast) run(Buffer.concat(chunks));
    });
  });

  // uWebSockets.js silently drops what it cannot buffer past maxBackpressure (64 KB by default):
  // acks and states would vanish for a client that reads slowly. Buffer as generously as ws does.
  io.attachApp(app, { maxBackpressure: MAX_BACKPRESSURE } as Parameters<Server["attachApp"]>[1]);

  return {
    engine: "uws",
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const options = reusePort ? LIBUS_LISTEN_DEFAULT : LIBUS_LISTEN_EXCLUSIVE_PORT;
        // The typings lack the (host, port, options, cb) form that the binary has.
        const listen = app.listen as unknown as (host: string, port: number, options: number, cb: (token: us_listen_socket | false) => void) => void;
        listen.call(app, host, port, options, (token) => {
          if (!token) {
            reject(
              new Error(
                `uWebSockets.js could not listen on ${host}:${port}: the address is in use (or not allowed)${reusePort ? "" : "; REUSE_PORT=true shares a port on purpose"}`,
              ),
            );
            return;
          }
          listenSocket = token;
          resolve(uws.us_socket_local_port(token));
        });
      });
    },
    async close() {
      if (listenSocket) uws.us_listen_socket_close(listenSocket);
      listenSocket = null;
    },
  };
}

/**
 * Every `X-Forwarded-For` line, joined as one list in order (`getHeader` reads only the first: the
 * line the client wrote, while a proxy such as HAProxy appends a line of its own).
 */
function forwardedForOf(req: HttpRequest): string | undefined {
  let joined: string | undefined;
  req.forEach((key, value) => {
    if (key === "x-forwarded-for") joined = joined === undefined ? value : `${joined},${value}`;
  });
  return joined || undefined;
}
