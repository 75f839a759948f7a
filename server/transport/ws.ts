import { ErrorCode } from "../../protocol/index.ts";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "socket.io";
import { httpError, type HttpResponse } from "../http/http-routes.ts";
import type { HttpHandler, Transport } from "./transport.ts";

function send(res: ServerResponse, answer: HttpResponse, close = false): void {
  if (res.headersSent || res.destroyed) return;
  const headers = close ? { ...answer.headers, connection: "close" } : answer.headers;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      resolve("too_large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        resolve("too_large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Socket.IO on Node's HTTP server with the `ws` WebSocket engine, with the HTTP routes on the same port. */
export function attachWs(io: Server, handler: HttpHandler, limit: number): Transport {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => {
    const method = (req.method ?? "GET").toUpperCase();
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    readBody(req, limit)
      .then(async (body) => {
        if (body === "too_large") {
          send(res, httpError(413, { code: ErrorCode.BAD_REQUEST, message: `body larger than ${limit} bytes` }), true);
          req.destroy();
          return;
        }
        const header = req.headers["x-forwarded-for"];
        const forwardedFor = Array.isArray(header) ? header.join(",") : header;
        send(res, await handler({ method, path, query, body, peer: req.socket.remoteAddress ?? "", ...(forwardedFor ? { forwardedFor } : {}) }));
      })
      .catch(() => send(res, httpError(500, { code: ErrorCode.INTERNAL, message: "internal error" })));
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  io.attach(server);

  return {
    engine: "ws",
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
