import { Fleet } from "../fleet.ts";
import { round } from "../stats.ts";

/** Connected players who do nothing: what each costs the server in memory, and in CPU at rest. */
export async function idle(engine: string, players: number, seconds: number, client: "wire" | "sdk"): Promise<Record<string, unknown>> {
  const fleet = await Fleet.start({
    server: "arena",
    engine,
    nodes: 1,
    store: "memory",
    client,
    game: "pong",
    generators: client === "sdk" ? Math.ceil(players / 1500) : 1,
  });
  try {
    const empty = await fleet.read();
    await fleet.connect(players);
    // Let the connection burst's garbage be collected before reading the resident size.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const first = await fleet.read();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const last = await fleet.read();
    const server = last.servers[0]!;
    const connected = last.generators.reduce((a, g) => a + g.connected, 0);
    return {
      engine,
      client,
      players,
      connected,
      serverRssMb: round(server.rssBytes / 1e6, 1),
      rssPerPlayerKb: round((server.rssBytes - empty.servers[0]!.rssBytes) / 1024 / players, 1),
      serverCpuPercentAtRest: round(((server.cpuUs - first.servers[0]!.cpuUs) / 1e6 / ((server.at - first.servers[0]!.at) / 1000)) * 100, 2),
      disconnects: last.generators.reduce((a, g) => a + g.disconnects, 0),
    };
  } finally {
    await fleet.stop();
  }
}
