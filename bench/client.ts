import { spawnSync } from "node:child_process";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, GuestToken, ServerToClientEvents } from "../protocol/index.ts";
import { hasTaskset } from "./server-process.ts";

export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Pins this process to a core when taskset exists; returns a sentence for the report. */
export function pinSelf(cpu: number, serverCpu: number): string {
  if (!hasTaskset()) return "taskset not found: server and load generator shared both cores";
  spawnSync("taskset", ["-cp", String(cpu), String(process.pid)], { stdio: "ignore" });
  return `server pinned to core ${serverCpu}, load generator to core ${cpu} (taskset)`;
}

export async function guestToken(url: string, name: string): Promise<GuestToken> {
  const response = await fetch(`${url}/v1/guest`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  return (await response.json()) as GuestToken;
}

/** Connects one bench player over WebSocket. */
export function connectPlayer(url: string, game: string, token: string): Promise<BenchSocket> {
  const socket: BenchSocket = io(`${url}/${game}`, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true, timeout: 20_000 });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** Connects `count` players, `batch` at a time. */
export async function connectMany(url: string, game: string, count: number, batch = 200): Promise<BenchSocket[]> {
  const sockets: BenchSocket[] = [];
  for (let i = 0; i < count; i += batch) {
    const tokens = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => guestToken(url, `B${i + j}`)));
    sockets.push(...(await Promise.all(tokens.map((t) => connectPlayer(url, game, t.token)))));
  }
  return sockets;
}
