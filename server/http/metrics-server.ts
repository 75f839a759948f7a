import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { handleMetrics, type RouteDeps } from "./http-routes.ts";

/**
 * `/metrics` and `/metrics/latency` on a port of their own (`METRICS_PORT`), for a scraper on a
 * private network; everything else there is 404. Plain `node:http`: requests are few and small.
 */
export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly deps: Pick<RouteDeps, "metrics" | "latency">,
    private readonly log: Logger,
  ) {}

  /** Listens; resolves with the port. */
  listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const [path = "/", query = ""] = (req.url ?? "/").split("?");
      handleMetrics(this.deps, { method: req.method ?? "GET", path, query, body: Buffer.alloc(0), peer: req.socket.remoteAddress ?? "" })
        .then((answer) => res.writeHead(answer.status, answer.headers).end(answer.body))
        .catch((error: unknown) => {
          this.log.warn({ err: error }, "metrics request failed");
          res.writeHead(500).end();
        });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve((server.address() as { port: number }).port));
    });
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
