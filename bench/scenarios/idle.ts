import { Fleet, type ServerKind } from "../fleet.ts";
import { round } from "../stats.ts";

/**
 * Connected players who do nothing: what each costs the server in memory, and in CPU at rest.
 * The servers run with `--expose-gc`, so that the heap is read after a full collection: the heap
 * per player is what a connection keeps alive, the RSS per player what the process grew by.
 */
export async function idle(server: ServerKind, engine: string, players: number, seconds: number, client: "wire" | "sdk"): Promise<Record<string, unknown>> {
  const fleet = await Fleet.start({
    server,
    engine,
    nodes: 1,
    store: "memory",
    client,
    game: "pong",
    generators: client === "sdk" ? Math.ceil(players / 1500) : 1,
    nodeFlags: ["--expose-gc"],
  });
  try {
    const empty = await fleet.read();
    await fleet.connect(players);
    // Let the connection burst's garbage be collected before reading the resident size.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const first = await fleet.read();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const last = await fleet.read();
    const at = last.servers[0]!;
    const connected = last.generators.reduce((a, g) => a + g.connected, 0);
    return {
      engine: server === "arena" ? engine : server,
      client,
      players,
      connected,
      serverRssMb: round(at.rssBytes / 1e6, 1),
      rssPerPlayerKb: round((at.rssBytes - empty.servers[0]!.rssBytes) / 1024 / players, 1),
      heapPerPlayerBytes: Math.round((at.heapUsedBytes - empty.servers[0]!.heapUsedBytes) / players),
      serverCpuPercentAtRest: round(((at.cpuUs - first.servers[0]!.cpuUs) / 1e6 / ((at.at - first.servers[0]!.at) / 1000)) * 100, 2),
      disconnects: last.generators.reduce((a, g) => a + g.disconnects, 0),
    };
  } finally {
    await fleet.stop();
  }
}
