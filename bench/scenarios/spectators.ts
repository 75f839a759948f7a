import { io, type Socket } from "socket.io-client";
import { fetchGuestToken } from "../../clients/sdk/index.ts";
import { spawnNode } from "../../harness/node-process.ts";
import type { StreamSnapshot } from "../../game-rooms/index.ts";
import type { LiveMatch } from "../../protocol/index.ts";
import { percentiles, windowOf } from "../histograms.ts";
import { round } from "../stats.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function player(url: string, name: string): Promise<Socket> {
  const { token } = await fetchGuestToken(url, name);
  const socket = io(`${url}/pong`, { auth: { token }, transports: ["websocket"], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

interface Window {
  cpuUs: number;
  statesSent: number;
  spectatorStates: number;
  p99RttUs: number | null;
  generatorCpuUs: number;
}

/**
 * What spectators cost the host: `players` pong players (acknowledging every state) on one uws node
 * on the memory store, pinned to core 0; this process drives them and `perMatch` spectators per
 * match (socket.io-client, unpinned, so it shares core 1 with the rest of the machine). Three windows
 * of `seconds`: players alone; with every spectator reading; with one spectator per match that
 * stopped reading its socket. Reports the server's CPU per delivered player state and per delivered
 * spectator state, and the players' p99 state-ack RTT in each window.
 */
export async function spectators(players: number, seconds: number, perMatch = 4): Promise<Record<string, unknown>> {
  const node = await spawnNode({ ENGINE: "uws", PONG_POINTS: "1000000", MATCHMAKER_INTERVAL_MS: "50", MAX_SPECTATORS: String(perMatch) }, { pinToCpu: 0 });
  const sockets: Socket[] = [];
  try {
    let started = 0;
    for (let i = 0; i < players; i++) {
      const socket = await player(node.url, `p${i}`);
      socket.on("match:found", (found: { matchId: string }) => socket.emit("match:ready", { matchId: found.matchId }, () => undefined));
      socket.on("match:start", () => started++);
      socket.on("state", (state: { matchId: string; tick: number }) => socket.emit("state:ack", { matchId: state.matchId, tick: state.tick }));
      sockets.push(socket);
    }
    for (const socket of sockets) socket.emit("queue:join", {}, () => undefined);
    const deadline = Date.now() + 30_000;
    while (started < players && Date.now() < deadline) await sleep(100);
    if (started < players) throw new Error(`only ${started} of ${players} players started`);
    const read = async (): Promise<StreamSnapshot & { generatorCpuUs: number }> => {
      const cpu = process.cpuUsage();
      return { ...((await (await fetch(`${node.url}/metrics/latency?tickRate=30`)).json()) as StreamSnapshot), generatorCpuUs: cpu.user + cpu.system };
    };
    const measure = async (): Promise<Window> => {
      const a = await read();
      await sleep(seconds * 1000);
      const b = await read();
      return {
        cpuUs: b.cpuUs - a.cpuUs,
        statesSent: b.counters.statesSent - a.counters.statesSent,
        spectatorStates: (b.counters.spectatorStates ?? 0) - (a.counters.spectatorStates ?? 0),
        p99RttUs: percentiles(windowOf([a.histograms.rttUs], [b.histograms.rttUs]), { p99: 99 }).p99,
        generatorCpuUs: b.generatorCpuUs - a.generatorCpuUs,
      };
    };
    await sleep(1000);
    const alone = await measure();
    const live = (await (await fetch(`${node.url}/v1/matches?game=pong&limit=200`)).json()) as LiveMatch[];
    const watchers: Socket[] = [];
    for (const match of live) {
      for (let i = 0; i < perMatch; i++) {
        const socket = await player(node.url, `s${watchers.length}`);
        await socket.timeout(5000).emitWithAck("match:spectate", { matchId: match.matchId });
        watchers.push(socket);
      }
    }
    sockets.push(...watchers);
    await sleep(1000);
    const watched = await measure();
    // One spectator per match stops reading: the kernel's buffers fill, the server cannot write to it.
    for (let i = 0; i < watchers.length; i += perMatch) {
      (watchers[i]!.io as unknown as { engine: { transport: { ws: { _socket: { pause(): void } } } } }).engine.transport.ws._socket.pause();
    }
    await sleep(1000);
    const stalled = await measure();
    const perPlayerState = alone.cpuUs / Math.max(1, alone.statesSent);
    const perSpectatorState = (watched.cpuUs - perPlayerState * watched.statesSent) / Math.max(1, watched.spectatorStates);
    const ms = (us: number | null) => (us === null ? null : round(us / 1000, 2));
    return {
      kind: "spectators",
      players,
      matches: live.length,
      spectators: watchers.length,
      seconds,
      serverUsPerPlayerState: round(perPlayerState, 2),
      serverUsPerSpectatorState: round(perSpectatorState, 2),
      spectatorStatesPerSecond: round(watched.spectatorStates / seconds, 0),
      p99RttMsPlayersAlone: ms(alone.p99RttUs),
      p99RttMsWithSpectators: ms(watched.p99RttUs),
      p99RttMsWithStalledSpectators: ms(stalled.p99RttUs),
      generatorCpuPercent: round((watched.generatorCpuUs / 1e6 / seconds) * 100, 1),
      cores: "server pinned to core 0; players and spectators (this process) unpinned",
    };
  } finally {
    for (const socket of sockets) socket.close();
    await node.kill();
  }
}
