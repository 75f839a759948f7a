import { io, type Socket } from "socket.io-client";
import type { Ack, ClientToServerEvents, GuestToken, ServerToClientEvents } from "../../protocol/index.ts";

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Gets a guest token over HTTP, as a client would. */
export async function guest(url: string, name?: string): Promise<GuestToken> {
  const response = await fetch(`${url}/v1/guest`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(name === undefined ? {} : { name }),
  });
  if (response.status !== 200) throw new Error(`guest token: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as GuestToken;
}

const open = new Set<TestClient>();

/** Connects to a game namespace over WebSocket; resolves once connected, rejects with the connect_error. */
export function connect(
  url: string,
  game: string,
  token: unknown,
  options: { reconnection?: boolean; onSocket?: (socket: TestClient) => void; timeoutMs?: number; auth?: Record<string, unknown> } = {},
): Promise<TestClient> {
  const socket: TestClient = io(`${url}/${game}`, {
    auth: { token, ...options.auth },
    transports: ["websocket"],
    reconnection: options.reconnection ?? false,
    forceNew: true,
    timeout: options.timeoutMs ?? 5000,
  });
  open.add(socket);
  options.onSocket?.(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      open.delete(socket);
      socket.close();
      reject(error);
    });
  });
}

/** Connects a fresh guest player. */
export async function connectGuest(url: string, game: string, name?: string): Promise<{ socket: TestClient; player: GuestToken }> {
  const player = await guest(url, name);
  return { socket: await connect(url, game, player.token), player };
}

/** Closes every client this helper opened. */
export function closeAllClients(): void {
  for (const socket of open) socket.close();
  open.clear();
}

/** Emits an event and resolves with its ack (rejects if none comes in time). */
export function request<T extends object = Record<string, unknown>>(socket: TestClient, event: string, ...args: unknown[]): Promise<Ack<T>> {
  return (socket.timeout(5000) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<Ack<T>> }).emitWithAck(event, ...args);
}

/**
 * Waits in tests are for events, with generous bounds: a loaded 2-core machine can take seconds
 * where an idle one takes milliseconds. A bound below this is raised to it (a wait ends as soon as
 * its event comes; the bound only decides how long a failure takes to report).
 */
export const MIN_WAIT_MS = 15_000;

/** Resolves with the next payload of `event`. */
export function waitFor<T = unknown>(socket: TestClient, event: string, timeoutMs = MIN_WAIT_MS): Promise<T> {
  timeoutMs = Math.max(timeoutMs, MIN_WAIT_MS);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    (socket as unknown as Socket).once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Resolves when the socket is disconnected, with the reason. */
export function waitForDisconnect(socket: TestClient, timeoutMs = MIN_WAIT_MS): Promise<string> {
  timeoutMs = Math.max(timeoutMs, MIN_WAIT_MS);
  return new Promise((resolve, reject) => {
    if (socket.disconnected) return resolve("already");
    const timer = setTimeout(() => reject(new Error(`not disconnected within ${timeoutMs} ms`)), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Polls `check` until it is true. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = MIN_WAIT_MS, what = "condition"): Promise<void> {
  timeoutMs = Math.max(timeoutMs, MIN_WAIT_MS);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what} not met within ${timeoutMs} ms`);
}

/** Every matchmaking event a client gets, in order, as `<event> <matchId>`. */
export function recordMatchEvents(socket: TestClient): string[] {
  const events: string[] = [];
  for (const event of ["match:found", "match:cancelled", "match:start", "match:end"] as const) {
    socket.on(event, (payload: { matchId: string }) => events.push(`${event} ${payload.matchId}`));
  }
  return events;
}
