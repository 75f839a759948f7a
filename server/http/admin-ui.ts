import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { instrument } from "@socket.io/admin-ui";
import bcrypt from "bcryptjs";
import type { Server } from "socket.io";
import type { Logger } from "pino";
import { ErrorCode } from "../../protocol/index.ts";
import type { socketAddress } from "../edge/client-address.ts";
import type { AdminSettings } from "../config/config.ts";
import type { HttpResponse } from "./http-routes.ts";
import { KeyedBuckets } from "../edge/rate-limit.ts";

const require = createRequire(import.meta.url);
/** The Admin UI's built pages, and the icon font it would otherwise load from a CDN. */
const UI_DIR = join(dirname(require.resolve("@socket.io/admin-ui/package.json")), "ui", "dist");
const ICONS_DIR = dirname(require.resolve("@mdi/font/package.json"));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".eot": "application/vnd.ms-fontobject",
  ".map": "application/json",
};

/**
 * The Socket.IO Admin UI on this node: every namespace instrumented (live sockets, rooms, which are
 * matches, and events), its `/admin` namespace behind basic auth, and its pages served here at
 * `/admin/` so that nothing is loaded from elsewhere (the page's CDN font links are replaced by the
 * icon font from the `@mdi/font` package; text falls back to the system's fonts).
 */
export function instrumentAdmin(io: Server, settings: AdminSettings, addressOf: (handshake: Handshake) => string, log: Logger): void {
  // Login attempts per client address, before the UI's own check (bcrypt, on purpose slow).
  const logins = new KeyedBuckets(LOGINS);
  io.of("/admin").use((socket, next) => {
    const address = addressOf(socket.handshake);
    if (logins.get(address).take() === "ok") return next();
    log.warn({ address }, "admin UI login refused: too many attempts from this address");
    next(Object.assign(new Error("rate limited"), { data: { code: ErrorCode.RATE_LIMITED } }));
  });
  instrument(io, {
    auth: { type: "basic", username: settings.username, password: bcrypt.hashSync(settings.password, 10) },
    namespaceName: "/admin",
    // Read-only unless the operator opts in to actions on players' sockets.
    readonly: !settings.actions,
    // Production mode sends counts, not each socket, room and event (a publish per event otherwise).
    mode: settings.mode,
  });
}

/** Login attempts (connections to `/admin`) an address may make at once, then one every 6 s. */
const LOGINS = { burst: 10, perSecond: 1 / 6 };

type Handshake = Parameters<typeof socketAddress>[0];

let page: Promise<string> | undefined;

/** The UI's page without its links to other origins, and with the local icon font. */
function adminPage(): Promise<string> {
  page ??= readFile(join(UI_DIR, "index.html"), "utf8").then((html) =>
    html.replace(/<link[^>]*href=["']?https?:\/\/[^>]*>/g, "").replace("</head>", '<link href="mdi/css/materialdesignicons.min.css" rel="stylesheet"></head>'),
  );
  return page;
}

/** A file under `root` named by `rest`, or undefined when the name leaves it or is not a plain path. */
function within(root: string, rest: string): string | undefined {
  if (!/^[A-Za-z0-9._/-]+$/.test(rest)) return undefined;
  const full = normalize(join(root, rest));
  return full.startsWith(root + sep) ? full : undefined;
}

/** Answers `GET /admin` and everything under it. */
export async function adminAsset(path: string): Promise<HttpResponse> {
  if (path === "/admin") return { status: 301, headers: { location: "/admin/" }, body: "" };
  const rest = path.slice("/admin/".length);
  if (rest === "" || rest === "index.html") {
    return { status: 200, headers: { "content-type": TYPES[".html"]!, "cache-control": "no-cache" }, body: await adminPage() };
  }
  const file = rest.startsWith("mdi/") ? within(ICONS_DIR, rest.slice(4)) : within(UI_DIR, rest);
  const type = file ? TYPES[extname(file)] : undefined;
  if (!file || !type) return { status: 404, headers: { "content-type": "text/plain" }, body: "not found" };
  try {
    return { status: 200, headers: { "content-type": type, "cache-control": "public, max-age=3600" }, body: await readFile(file) };
  } catch {
    return { status: 404, headers: { "content-type": "text/plain" }, body: "not found" };
  }
}
