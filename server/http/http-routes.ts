import { ArenaError, ErrorCode, guestRequestSchema, describeIssues, type GameInfo } from "../../protocol/index.ts";
import { pageHeaders } from "./page-headers.ts";
import { PageNotBuilt, type Page } from "./page-files.ts";
import { handleWatch, type WatchDeps } from "./watch-routes.ts";
import { httpError, json, type HttpRequest, type HttpResponse } from "./http-message.ts";

export { httpError, json, type HttpRequest, type HttpResponse } from "./http-message.ts";
import type { TokenService } from "../edge/auth.ts";
import type { Registry } from "prom-client";

/** An engine-neutral HTTP request, body already read (and bounded). */
export interface RouteDeps {
  tokens: TokenService;
  guestTokens: boolean;
  /** The Admin UI's pages (`ADMIN_PASSWORD` set), or undefined: then `/admin/` is 404. */
  admin?: (path: string) => Promise<HttpResponse>;
  /** Whether the request's client may mint another guest token now (per address, `GUEST_TOKENS_PER_MINUTE`). */
  guestMints: (req: HttpRequest) => boolean;
  /** Whether the request's client may read a page or a watching route now (per address, `HTTP_READS_PER_MINUTE`). */
  readAllowed: (req: HttpRequest) => boolean;
  games: () => GameInfo[];
  readiness: () => { ready: true } | { ready: false; reason: string };
  metrics: Registry;
  /** Whether this port serves `/metrics` (false when `METRICS_PORT` moves it to its own port). */
  metricsHere: boolean;
  /** Exact state-stream counters and microsecond HDR histograms; with a tick rate, read at that lane's next cycle boundary. */
  latency: (tickRate: number | undefined) => Promise<unknown>;
  /** The browser page and the games' browser modules, as the build step wrote them. */
  page: { read(): Promise<Page>; gameScript(game: string): Promise<string | undefined> };
  /** Whether this node serves a game (only their modules are served). */
  serves: (game: string) => boolean;
  /** Live matches, replays, histories, leaderboards. */
  watch: WatchDeps;
}

/** The largest HTTP body any route accepts. */
export const MAX_HTTP_BODY = 4096;

async function guest(deps: RouteDeps, req: HttpRequest): Promise<HttpResponse> {
  if (!deps.guestTokens) return httpError(404, { code: ErrorCode.BAD_REQUEST, message: "guest tokens are turned off on this server" });
  let parsed: unknown = {};
  const text = req.body.toString("utf8").trim();
  if (text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      return httpError(400, { code: ErrorCode.BAD_REQUEST, message: "body is not valid JSON" });
    }
  }
  const result = guestRequestSchema.safeParse(parsed);
  if (!result.success) return httpError(400, { code: ErrorCode.BAD_REQUEST, message: describeIssues(result.error) });
  if (!deps.guestMints(req)) {
    const refused = httpError(429, { code: ErrorCode.RATE_LIMITED, message: "too many guest tokens from this address; try again in a minute" });
    return { ...refused, headers: { ...refused.headers, "retry-after": "60" } };
  }
  return json(200, await deps.tokens.guest(result.data.name));
}

/** The routes that cost the node (a page, a store read) and count against `HTTP_READS_PER_MINUTE`. */
const READS = /^\/(app\.js)?$|^\/games\/|^\/v1\/(matches|players|leaderboard)(\/|$)/;

/**
 * The public JSON routes (`/v1/...`) answer pages of any origin: a game's own site is rarely served
 * by the node. Tokens travel in bodies and handshakes, never in cookies, so an origin gains nothing
 * by it that another page lacks.
 */
const CORS = { "access-control-allow-origin": "*" };
const PREFLIGHT = { ...CORS, "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type", "access-control-max-age": "600" };

/** Answers one HTTP request; a failure is a coded error, never a throw. */
export async function handleHttp(deps: RouteDeps, req: HttpRequest): Promise<HttpResponse> {
  if (!req.path.startsWith("/v1/")) return answer(deps, req);
  if (req.method === "OPTIONS") return { status: 204, headers: PREFLIGHT, body: "" };
  const response = await answer(deps, req);
  return { ...response, headers: { ...response.headers, ...CORS } };
}

async function answer(deps: RouteDeps, req: HttpRequest): Promise<HttpResponse> {
  try {
    if (req.method === "GET" && (req.path === "/admin" || req.path.startsWith("/admin/"))) {
      return deps.admin
        ? await deps.admin(req.path)
        : httpError(404, { code: ErrorCode.BAD_REQUEST, message: "the admin UI is off (ADMIN_PASSWORD is not set)" });
    }
    if (req.method === "GET" && READS.test(req.path) && !deps.readAllowed(req)) {
      const refused = httpError(429, { code: ErrorCode.RATE_LIMITED, message: "too many requests from this address; try again in a minute" });
      return { ...refused, headers: { ...refused.headers, "retry-after": "60" } };
    }
    return (await handleWatch(deps.watch, req)) ?? (await handleFixed(deps, req));
  } catch (error) {
    if (error instanceof ArenaError) return httpError(error.code === ErrorCode.UNAVAILABLE ? 503 : 500, error.toBody());
    return httpError(500, { code: ErrorCode.INTERNAL, message: "internal error" });
  }
}

async function handleFixed(deps: RouteDeps, req: HttpRequest): Promise<HttpResponse> {
  const key = `${req.method} ${req.path}`;
  switch (key) {
    case "POST /v1/guest":
      return guest(deps, req);
    case "GET /v1/games":
      return json(200, deps.games());
    case "GET /healthz":
      return json(200, { ok: true });
    case "GET /readyz": {
      const state = deps.readiness();
      return state.ready ? json(200, { ready: true }) : json(503, { ready: false, reason: state.reason });
    }
    case "GET /metrics":
    case "GET /metrics/latency":
      return deps.metricsHere
        ? handleMetrics(deps, req)
        : httpError(404, { code: ErrorCode.BAD_REQUEST, message: `no route ${key}: metrics are on METRICS_PORT` });
    default:
      return pageRoute(deps, key);
  }
}

/** `/`, `/app.js` and `/games/<name>.js`: the files the build step wrote (503 when it did not run). */
async function pageRoute(deps: RouteDeps, key: string): Promise<HttpResponse> {
  const game = /^GET \/games\/([a-z][a-z0-9-]{0,31})\.js$/.exec(key)?.[1];
  if (key !== "GET /" && key !== "GET /app.js" && (game === undefined || !deps.serves(game)))
    return httpError(404, { code: ErrorCode.BAD_REQUEST, message: `no route ${key}` });
  let page: Page;
  try {
    page = await deps.page.read();
  } catch (error) {
    if (!(error instanceof PageNotBuilt)) throw error;
    return httpError(503, { code: ErrorCode.UNAVAILABLE, message: error.message });
  }
  const script = { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", ...pageHeaders(page.html, []) };
  if (key === "GET /app.js") return { status: 200, headers: script, body: page.js };
  if (game !== undefined) {
    const body = await deps.page.gameScript(game);
    if (body === undefined)
      return httpError(404, {
        code: ErrorCode.BAD_REQUEST,
        message: `the build step wrote no browser module for ${game}: run npm run build:page with GAMES set`,
      });
    return { status: 200, headers: script, body };
  }
  const urls = (await deps.watch.nodes().catch(() => [])).flatMap((n) => (n.url ? [n.url] : []));
  return { status: 200, headers: { "content-type": "text/html; charset=utf-8", ...pageHeaders(page.html, urls) }, body: page.html };
}

/** `GET /metrics` (Prometheus) and `GET /metrics/latency`: on the game port, or alone on `METRICS_PORT`. */
export async function handleMetrics(deps: Pick<RouteDeps, "metrics" | "latency">, req: HttpRequest): Promise<HttpResponse> {
  const key = `${req.method} ${req.path}`;
  if (key === "GET /metrics") return { status: 200, headers: { "content-type": deps.metrics.contentType }, body: await deps.metrics.metrics() };
  if (key === "GET /metrics/latency") {
    const tickRate = Number(new URLSearchParams(req.query).get("tickRate"));
    return json(200, await deps.latency(Number.isInteger(tickRate) && tickRate > 0 ? tickRate : undefined));
  }
  return httpError(404, { code: ErrorCode.BAD_REQUEST, message: `no route ${key}` });
}
