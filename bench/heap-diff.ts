/**
 * What an idle connection holds on the heap, kind by kind, Arena against bare Socket.IO: each
 * server (memory store, uws) gets `--warm` wire clients (so that code compiled for the first
 * connections is not counted), a heap snapshot, `--players` more, another snapshot. Prints the
 * bytes a connection adds, in total and for the kinds where Arena and the baseline differ most,
 * by what holds them (`array (object properties) <= closure .properties`: a closure's own
 * properties). The measure behind `bench/RESULTS.md`'s memory entries.
 *   npm run bench:heap-diff -- [--players 2000] [--warm 200] [--top 30]
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Fleet, type ServerKind } from "./fleet.ts";
import { difference, heapByHolder, perConnection, type Growth } from "./heap-snapshot.ts";

const { values } = parseArgs({
  options: {
    players: { type: "string", default: "2000" },
    warm: { type: "string", default: "200" },
    top: { type: "string", default: "30" },
  },
});
const players = Number(values.players);
const warm = Number(values.warm);

/**
 * Signals the server to write a snapshot into `dir`; resolves with its file once it is complete.
 * The server writes it on its main thread, so it answers `fleet.read()` only when the file is done.
 */
async function snapshot(pid: number, dir: string, fleet: Fleet): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, "SIGUSR1");
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
    if (!file) continue;
    await fleet.read();
    return join(dir, file);
  }
}

async function measure(server: ServerKind): Promise<Map<string, Growth>> {
  const dir = mkdtempSync(join(tmpdir(), `heap-${server}-`));
  const fleet = await Fleet.start({
    server,
    engine: "uws",
    nodes: 1,
    store: "memory",
    client: "wire",
    game: "pong",
    generators: 1,
    nodeFlags: ["--heapsnapshot-signal=SIGUSR1", `--diagnostic-dir=${dir}`],
  });
  try {
    const pid = fleet.servers[0]!.process?.pid;
    if (pid === undefined) throw new Error(`no process for ${server}`);
    await fleet.connect(warm);
    const first = await snapshot(pid, dir, fleet);
    await fleet.connect(warm + players);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const second = await snapshot(pid, dir, fleet);
    const connected = (await fleet.read()).generators.reduce((a, g) => a + g.connected, 0);
    if (connected !== warm + players) throw new Error(`${server}: ${connected} of ${warm + players} connected`);
    return perConnection(heapByHolder(first), heapByHolder(second), players);
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const total = (kinds: Map<string, Growth>) => [...kinds.values()].reduce((a, k) => a + k.bytes, 0);
const arena = await measure("arena");
const bare = await measure("raw-socketio");
const diff = [...difference(arena, bare)].sort((a, b) => b[1].bytes - a[1].bytes);
const top = Number(values.top);
const row = ([kind, g]: [string, Growth]) => `${g.bytes.toFixed(0).padStart(7)} B ${g.count.toFixed(2).padStart(6)}  ${kind}`;
process.stdout.write(
  [
    `heap per idle connection (${players} connections after ${warm}): Arena ${total(arena).toFixed(0)} B, bare Socket.IO ${total(bare).toFixed(0)} B, difference ${(total(arena) - total(bare)).toFixed(0)} B`,
    "bytes and objects per connection that Arena holds beyond bare Socket.IO, by what holds them:",
    ...diff.slice(0, top).map(row),
    "... and where Arena holds less:",
    ...diff.slice(-5).map(row),
    "",
  ].join("\n"),
);
