/**
 * A load generator process for `npm run bench`, built on the SDK. It prints JSON lines:
 * `ready` once its players are in place, a `sample` every second, and `done` with its totals.
 *   tsx bench/generator.ts <url> <scenario> <players> <seconds>
 */
import { performance } from "node:perf_hooks";
import { pongDirection } from "../clients/bot/index.ts";
import { connect, fetchGuestToken, type ArenaClient } from "../clients/sdk/index.ts";
import { percentile, round } from "./stats.ts";

const [url = "", scenario = "steady", playersArg = "100", secondsArg = "10"] = process.argv.slice(2);
const PLAYERS = Number(playersArg);
const SECONDS = Number(secondsArg);
const out = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const totals = { states: 0, inputs: 0, errors: 0, disconnects: 0, started: 0, ended: 0, found: 0, statesInWindow: 0, inputsInWindow: 0 };
let measuring = false;
const benign = new Set(["UNKNOWN_MATCH", "NOT_IN_MATCH"]);
const failed = (error: { code?: string }) => {
  if (!benign.has(error.code ?? "")) totals.errors++;
};

async function players(game: string): Promise<ArenaClient[]> {
  const clients: ArenaClient[] = [];
  for (let i = 0; i < PLAYERS; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, PLAYERS - i) }, async (_, j) => {
        const { token } = await fetchGuestToken(url, `G${i + j}`);
        const client = connect({ url, game, token, autoReady: true, reconnect: false });
        await client.connected();
        client.on("status", (status) => {
          if (status === "disconnected" && measuring) totals.disconnects++;
        });
        return client;
      }),
    );
    clients.push(...batch);
  }
  return clients;
}

async function steady(): Promise<Record<string, unknown>> {
  const clients = await players("pong");
  for (const client of clients) {
    let dir = 0;
    client.on("state", (payload) => {
      totals.states++;
      const next = pongDirection(payload.state as { ball: { y: number }; paddles: number[] }, client.seat ?? 0);
      if (next !== dir) {
        dir = next;
        totals.inputs++;
        client.input({ dir }).catch(failed);
      }
    });
    client.on("start", () => totals.started++);
    client.on("end", () => {
      totals.ended++;
      client.queue().catch(failed);
    });
    await client.queue();
  }
  const deadline = performance.now() + 60_000;
  while (totals.started < PLAYERS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await run(clients);
  return {};
}

async function storm(): Promise<Record<string, unknown>> {
  const clients = await players("tictactoe");
  const joined: number[] = [];
  const waits: number[] = [];
  clients.forEach((client, i) =>
    client.on("found", () => {
      totals.found++;
      waits.push(performance.now() - joined[i]!);
    }),
  );
  out({ type: "ready" });
  measuring = true;
  const start = performance.now();
  clients.forEach((client, i) => {
    joined[i] = performance.now();
    client.queue().catch(failed);
  });
  while (totals.found < PLAYERS && performance.now() - start < SECONDS * 1000) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  for (const client of clients) client.close();
  return {
    pairingsPerSecond: round(totals.found / 2 / seconds),
    foundP50Ms: round(percentile(waits, 50)),
    foundP95Ms: round(percentile(waits, 95)),
    foundP99Ms: round(percentile(waits, 99)),
    unpaired: PLAYERS - totals.found,
  };
}

async function idle(): Promise<Record<string, unknown>> {
  await run(await players("pong"));
  return {};
}

/** Marks ready, samples every second for the duration, then closes the players. */
async function run(clients: ArenaClient[]): Promise<void> {
  out({ type: "ready" });
  measuring = true;
  const atReady = { ...totals };
  let last = { ...totals };
  let cpu = process.cpuUsage();
  for (let t = 1; t <= SECONDS; t++) {
    await new Promise((r) => setTimeout(r, 1000));
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    out({ type: "sample", t, states: totals.states - last.states, inputs: totals.inputs - last.inputs, cpuPercent: round(((used.user + used.system) / 1e6) * 100, 1) });
    last = { ...totals };
  }
  measuring = false;
  totals.statesInWindow = totals.states - atReady.states;
  totals.inputsInWindow = totals.inputs - atReady.inputs;
  for (const client of clients) client.close();
}

const cpuStart = process.cpuUsage();
const t0 = performance.now();
const extra = scenario === "steady" ? await steady() : scenario === "queue-storm" ? await storm() : await idle();
const cpu = process.cpuUsage(cpuStart);
out({ type: "done", ...totals, ...extra, cpuPercent: round(((cpu.user + cpu.system) / 1e6 / ((performance.now() - t0) / 1000)) * 100, 1) });
process.exit(0);
