import type { StreamSnapshot } from "../game-rooms/index.ts";
import type { Fleet, GeneratorSample } from "./fleet.ts";
import { percentileCurve, percentiles, windowOf } from "./histograms.ts";
import { round } from "./stats.ts";

/** A generator above this share of its core measures itself, not the server. */
export const GENERATOR_LIMIT = 0.7;

type Reading = Awaited<ReturnType<Fleet["read"]>>;

/** One load level, measured over a window: the figures operators script against. */
export interface StreamRun {
  /** Redis publishes between nodes per acknowledged state over the window (0 when every player plays on its match's host). */
  redisMessagesPerAck: number;
  engine: string;
  client: string;
  players: number;
  seconds: number;
  statesPerSecond: number;
  /** What the players are owed: players x tick rate. */
  statesDuePerSecond: number;
  inputsPerSecond: number;
  /** The state encoding the players asked for. */
  encoding: "json" | "compact";
  /** Average bytes of a state message as received (its Engine.IO text; WebSocket framing adds 2). */
  bytesPerState: number;
  /** Bytes the servers sent the players per second (every message), and that per 1,000 playing players. */
  egressBytesPerSecond: number;
  egressBytesPerSecondPer1000: number;
  /** Bytes the servers allocated on their V8 heaps per state sent (`AllocationMeter`). */
  allocatedBytesPerState: number;
  /** The servers' garbage collections over the window: per second, and their time in ms per second. */
  gc: { youngPerSecond: number; youngMsPerSecond: number; fullPerSecond: number; fullMsPerSecond: number };
  serverCpuPercent: number;
  serverCpuUsPerState: number;
  generatorCpuPercent: number[];
  generatorCpuUsPerState: number;
  /** States owed an acknowledgement (tick a multiple of `ackEvery`) that never got one, counted exactly after the matches ended and a drain. */
  acksLost: number;
  /** Acknowledgements the server dropped (stale, malformed, of ticks not sent): 0 from a correct client. */
  acksDropped: number;
  ackEvery: number;
  inputAcks: boolean;
  /** States the server sent that no client received. */
  statesUndelivered: number;
  rttUs: { p50: number | null; p99: number | null; p999: number | null };
  inputToStateUs: { p50: number | null; p99: number | null };
  tickLatenessUs: { p50: number | null; p99: number | null };
  serverRssMb: number;
  rssPerPlayerKb: number;
  errors: number;
  errorCodes: Record<string, number>;
  disconnects: number;
  unstartedPlayers: number;
  /** "generator" when a load generator passed 70% of its core: the figures then bound the server from above. */
  limitedBy: "generator" | null;
  /** Which pass of a `--repeat` run this is (from 1); each pass measures every server once, in the same order. */
  repeat?: number;
}

export interface StreamSeries {
  t: number[];
  serverCpuPercent: number[];
  generatorCpuPercent: number[];
  statesPerSecond: number[];
  rttP99Us: number[];
  tickLatenessP99Us: number[];
  rssMb: number[];
}

export interface LevelOptions {
  players: number;
  /** Players already connected (more than `players` when a search steps back); they idle. */
  connected?: number;
  seconds: number;
  tickRate: number;
  /** RSS of the servers before any player connected. */
  emptyRssBytes: number;
  engine: string;
  client: string;
  ackEvery: number;
  inputAcks: boolean;
  encoding: "json" | "compact";
  onSecond?: (t: number) => void;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const serverSum = (r: Reading, f: (s: StreamSnapshot) => number) => sum(r.servers.map(f));
const generatorSum = (r: Reading, f: (g: GeneratorSample) => number) => sum(r.generators.map(f));
/** States owed an acknowledgement that none covered yet (exact once the matches are over and drained). */
const outstanding = (r: Reading) => serverSum(r, (s) => s.counters.statesOwedAck - s.counters.stateAcks);
const undelivered = (r: Reading) => serverSum(r, (s) => s.counters.statesSent) - generatorSum(r, (g) => g.statesReceived);

/**
 * States per second between two readings, on each server's own tick clock: a reading falls between
 * tick passes, so the states counted are exactly those of the passes in between, and the rate can
 * never exceed players x tick rate.
 */
function statesPerSecond(a: Reading, b: Reading, tickRate: number): number {
  return sum(
    b.servers.map((s, i) => {
      const before = a.servers[i]!;
      const elapsed = (s.tickClock[tickRate] ?? 0) - (before.tickClock[tickRate] ?? 0);
      return elapsed > 0 ? ((s.counters.statesSent - before.counters.statesSent) / elapsed) * 1000 : 0;
    }),
  );
}

const seconds = (a: Reading, b: Reading) => (b.servers[0]!.at - a.servers[0]!.at) / 1000;
const serverCpuUs = (a: Reading, b: Reading) => serverSum(b, (s) => s.cpuUs) - serverSum(a, (s) => s.cpuUs);
const p99 = (before: string[], after: string[]) => windowOf(before, after).getValueAtPercentile(99);

/**
 * Connects `players` in all, has every idle one play, measures a window of `seconds` (reading the
 * servers and the generators at the same instants every second), then ends every match, waits for
 * the last acknowledgements and counts exactly what was never acknowledged.
 */
export async function measureLevel(fleet: Fleet, options: LevelOptions): Promise<{ run: StreamRun; series: StreamSeries; curves: Record<string, number[]> }> {
  await fleet.connect(Math.max(options.players, options.connected ?? 0));
  const settled = await fleet.read();
  const playing = await fleet.play(options.players);
  await sleep(1000);
  const readings: Reading[] = [await fleet.read()];
  for (let t = 1; t <= options.seconds; t++) {
    await sleep(1000 - ((Date.now() - readings[0]!.servers[0]!.at) % 1000));
    readings.push(await fleet.read());
    options.onSecond?.(t);
  }
  const first = readings[0]!;
  const last = readings.at(-1)!;
  await fleet.all({ cmd: "drain" }, "drained");
  const drained = await fleet.read();

  const window = seconds(first, last);
  const states = serverSum(last, (s) => s.counters.statesSent) - serverSum(first, (s) => s.counters.statesSent);
  const received = generatorSum(last, (g) => g.statesReceived) - generatorSum(first, (g) => g.statesReceived);
  const generatorCpu = last.generators.map((g, i) => (g.cpuUs - first.generators[i]!.cpuUs) / 1e6 / window);
  const rss = serverSum(last, (s) => s.rssBytes);
  const hist = (pick: (s: StreamSnapshot) => string) => windowOf(first.servers.map(pick), last.servers.map(pick));
  const rtt = hist((s) => s.histograms.rttUs);
  const lateness = hist((s) => s.histograms.tickLatenessUs);
  const inputToState = windowOf(
    first.generators.map((g) => g.inputToStateUs),
    last.generators.map((g) => g.inputToStateUs),
  );
  const errorCodes: Record<string, number> = {};
  drained.generators.forEach((g, i) => {
    for (const [code, n] of Object.entries(g.errorCodes)) errorCodes[code] = (errorCodes[code] ?? 0) + n - (settled.generators[i]!.errorCodes[code] ?? 0);
  });

  const acks = serverSum(last, (s) => s.counters.stateAcks) - serverSum(first, (s) => s.counters.stateAcks);
  const stateBytes = generatorSum(last, (g) => g.stateBytes) - generatorSum(first, (g) => g.stateBytes);
  const egress = (generatorSum(last, (g) => g.bytesIn) - generatorSum(first, (g) => g.bytesIn)) / window;
  const publishes = serverSum(last, (s) => s.relay?.publishes ?? 0) - serverSum(first, (s) => s.relay?.publishes ?? 0);
  const run: StreamRun = {
    redisMessagesPerAck: round(publishes / Math.max(1, acks), 3),
    engine: options.engine,
    client: options.client,
    players: options.players,
    seconds: round(window, 2),
    statesPerSecond: Math.round(statesPerSecond(first, last, options.tickRate)),
    statesDuePerSecond: options.players * options.tickRate,
    inputsPerSecond: Math.round((serverSum(last, (s) => s.counters.inputs) - serverSum(first, (s) => s.counters.inputs)) / window),
    encoding: options.encoding,
    bytesPerState: round(stateBytes / Math.max(1, received), 1),
    egressBytesPerSecond: Math.round(egress),
    egressBytesPerSecondPer1000: Math.round((egress / options.players) * 1000),
    gc: {
      youngPerSecond: round((serverSum(last, (s) => s.gc.young) - serverSum(first, (s) => s.gc.young)) / window, 1),
      youngMsPerSecond: round((serverSum(last, (s) => s.gc.youngUs) - serverSum(first, (s) => s.gc.youngUs)) / 1000 / window, 2),
      fullPerSecond: round((serverSum(last, (s) => s.gc.full) - serverSum(first, (s) => s.gc.full)) / window, 2),
      fullMsPerSecond: round((serverSum(last, (s) => s.gc.fullUs) - serverSum(first, (s) => s.gc.fullUs)) / 1000 / window, 2),
    },
    allocatedBytesPerState: Math.round((serverSum(last, (s) => s.allocatedBytes) - serverSum(first, (s) => s.allocatedBytes)) / Math.max(1, states)),
    serverCpuPercent: round((serverCpuUs(first, last) / 1e6 / window) * 100, 1),
    serverCpuUsPerState: round(serverCpuUs(first, last) / Math.max(1, states), 2),
    generatorCpuPercent: generatorCpu.map((c) => round(c * 100, 1)),
    generatorCpuUsPerState: round((generatorSum(last, (g) => g.cpuUs) - generatorSum(first, (g) => g.cpuUs)) / Math.max(1, received), 2),
    acksLost: outstanding(drained) - outstanding(settled),
    acksDropped: serverSum(drained, (s) => s.counters.stateAcksDropped) - serverSum(settled, (s) => s.counters.stateAcksDropped),
    ackEvery: options.ackEvery,
    inputAcks: options.inputAcks,
    statesUndelivered: undelivered(drained) - undelivered(settled),
    rttUs: percentiles(rtt, { p50: 50, p99: 99, p999: 99.9 }),
    inputToStateUs: percentiles(inputToState, { p50: 50, p99: 99 }),
    tickLatenessUs: percentiles(lateness, { p50: 50, p99: 99 }),
    serverRssMb: round(rss / 1e6, 1),
    rssPerPlayerKb: round((rss - options.emptyRssBytes) / 1024 / Math.max(options.players, options.connected ?? 0), 1),
    errors: generatorSum(drained, (g) => g.errors) - generatorSum(settled, (g) => g.errors),
    errorCodes,
    disconnects: generatorSum(drained, (g) => g.disconnects) - generatorSum(settled, (g) => g.disconnects),
    unstartedPlayers: options.players - playing,
    limitedBy: generatorCpu.some((c) => c > GENERATOR_LIMIT) ? "generator" : null,
  };
  const pairs = readings.slice(1).map((r, i) => [readings[i]!, r] as const);
  const series: StreamSeries = {
    t: pairs.map(([, b]) => round((b.servers[0]!.at - first.servers[0]!.at) / 1000, 1)),
    serverCpuPercent: pairs.map(([a, b]) => round((serverCpuUs(a, b) / 1e6 / seconds(a, b)) * 100, 1)),
    generatorCpuPercent: pairs.map(([a, b]) => round(((generatorSum(b, (g) => g.cpuUs) - generatorSum(a, (g) => g.cpuUs)) / 1e6 / seconds(a, b)) * 100, 1)),
    statesPerSecond: pairs.map(([a, b]) => Math.round(statesPerSecond(a, b, options.tickRate))),
    rttP99Us: pairs.map(([a, b]) =>
      p99(
        a.servers.map((s) => s.histograms.rttUs),
        b.servers.map((s) => s.histograms.rttUs),
      ),
    ),
    tickLatenessP99Us: pairs.map(([a, b]) =>
      p99(
        a.servers.map((s) => s.histograms.tickLatenessUs),
        b.servers.map((s) => s.histograms.tickLatenessUs),
      ),
    ),
    rssMb: pairs.map(([, b]) => round(serverSum(b, (s) => s.rssBytes) / 1e6, 1)),
  };
  return { run, series, curves: { rttUs: percentileCurve(rtt), inputToStateUs: percentileCurve(inputToState), tickLatenessUs: percentileCurve(lateness) } };
}
