import { appendFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { StreamSnapshot } from "../game-rooms/index.ts";
import { Redis } from "ioredis";
import { freePort, hasTaskset, SERVER_NODE_FLAGS, spawnNode, spawnScript, startPrivateRedis, startRedisCluster, type PrivateRedis } from "../harness/index.ts";

/** The Redis a fleet's nodes share: one server, or a 3-master Cluster (its masters' ports). */
interface FleetRedis {
  ports: number[];
  stop(): Promise<void>;
}

/** What a generator answers to `sample` (and `drain`): cumulative counters and encoded histograms. */
export interface GeneratorSample {
  at: number;
  cpuUs: number;
  statesReceived: number;
  stateAcksSent: number;
  inputsSent: number;
  inputAcks: number;
  errors: number;
  errorCodes: Record<string, number>;
  disconnects: number;
  connected: number;
  started: number;
  inMatch: number;
  inputToStateUs: string;
  pairingUs: string;
  /** Bytes of the state messages received (their Engine.IO text), and of every message. */
  stateBytes: number;
  bytesIn: number;
}

type Answer = Record<string, unknown> & { type: string };

/** A load generator process (`bench/generator/main.ts`), driven by JSON commands. */
export class Generator {
  private readonly waiters: { type: string; resolve: (answer: Answer) => void; reject: (error: Error) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const answer = JSON.parse(line) as Answer;
      const index = answer.type === "error" ? 0 : this.waiters.findIndex((w) => w.type === answer.type);
      const [waiter] = index >= 0 ? this.waiters.splice(index, 1) : [];
      if (answer.type === "error") waiter?.reject(new Error(`generator: ${String(answer.message)}`));
      else waiter?.resolve(answer);
    });
    child.once("exit", (code) => {
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`generator exited with ${code}`));
    });
  }

  /** Sends a command and resolves with the answer of type `answer`. */
  ask<T = Answer>(command: object, answer: string): Promise<T> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ type: answer, resolve: resolve as (a: Answer) => void, reject });
      this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    });
  }
}

/** A server under test: an Arena node or a baseline, with the same `GET /metrics/latency`. */
export interface ServerUnderTest {
  url: string;
  kill(): Promise<unknown>;
  /** The server's process, when this fleet started it (signalled for heap snapshots). */
  process?: ChildProcess;
}

export type ServerKind = "arena" | "raw-uws" | "raw-socketio";

export interface FleetOptions {
  server: ServerKind;
  engine: string;
  nodes: number;
  store: "memory" | "redis" | "cluster";
  client: "wire" | "sdk";
  game: string;
  generators: number;
  env?: Record<string, string>;
  /** The tick rate the servers run the game at; readings are taken at its cycle boundaries. */
  tickRate?: number;
  /** Clients acknowledge every state whose tick is a multiple of this (`STATE_ACK_EVERY`). */
  ackEvery?: number;
  /** Whether inputs ask for an answer (otherwise fire and forget). */
  inputAcks?: boolean;
  /** The state encoding the players ask for (`auth.encoding`); baselines send objects whatever is asked. */
  encoding?: "json" | "compact";
  /** Node.js flags for the servers, beside `SERVER_NODE_FLAGS`. */
  nodeFlags?: string[];
  /** A deployment the bench did not start (`--target`): players connect to `url`; its nodes are read at `metrics`. */
  target?: Target;
}

/** A running deployment: where players connect (its load balancer), and each node's `GET /metrics/latency` address. */
export interface Target {
  url: string;
  metrics: string[];
}

export const SERVER_CPU = 0;
export const GENERATOR_CPU = 1;
export const CORES = hasTaskset()
  ? `servers pinned to core ${SERVER_CPU}, load generators to core ${GENERATOR_CPU} (taskset); nothing else of the bench runs during a measurement`
  : "taskset not found: servers and load generators shared both cores";

/** Servers (pinned to one core) and load generators (pinned to the other), started and stopped together. */
export class Fleet {
  private constructor(
    readonly servers: ServerUnderTest[],
    readonly generators: Generator[],
    private readonly redis: FleetRedis | undefined,
    private readonly tickRate: number | undefined,
  ) {}

  static async start(options: FleetOptions): Promise<Fleet> {
    let redis: FleetRedis | undefined;
    const servers: ServerUnderTest[] = [];
    const generators: Generator[] = [];
    try {
      if (options.target) {
        // Not ours to start or stop: read only.
        for (const url of options.target.metrics) servers.push({ url, kill: async () => undefined });
      } else if (options.server === "arena") {
        const env: Record<string, string> = {
          ENGINE: options.engine,
          RATE_LIMIT_PER_SECOND: "1000",
          RATE_LIMIT_BURST: "1000",
          MATCHMAKER_INTERVAL_MS: "50",
          STATE_ACK_EVERY: String(options.ackEvery ?? 1),
          ...options.env,
          // Settings for an experiment (`BENCH_SERVER_ENV="SNAPSHOT_INTERVAL_MS=0 ..."`): the servers under test only.
          ...Object.fromEntries(
            (process.env.BENCH_SERVER_ENV ?? "")
              .split(/\s+/)
              .filter(Boolean)
              .map((pair) => pair.split("=", 2) as [string, string]),
          ),
        };
        if (options.tickRate) env.PONG_TICK_RATE = String(options.tickRate);
        // Node.js flags for the servers under test only (e.g. garbage collector settings).
        if (process.env.BENCH_SERVER_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS;
        // Flags NODE_OPTIONS cannot override (they come after SERVER_NODE_FLAGS on the command line).
        const extraFlags = process.env.BENCH_SERVER_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
        if (options.store === "cluster") {
          const cluster = await startRedisCluster();
          redis = cluster;
          Object.assign(env, { REDIS_URL: cluster.url, REDIS_CLUSTER: "true", ARENA_SECRET: "b".repeat(40) });
        } else if (options.nodes > 1 || options.store === "redis") {
          const single: PrivateRedis = await startPrivateRedis();
          redis = { ports: [single.port], stop: () => single.stop() };
          Object.assign(env, { REDIS_URL: single.url, ARENA_SECRET: "b".repeat(40) });
        }
        for (let i = 0; i < options.nodes; i++) {
          // Each node knows its own address, so that clients that follow `match:found.host` can move there.
          const port = await freePort();
          const own = { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
          servers.push(
            await spawnNode({ ...env, ...own }, { pinToCpu: SERVER_CPU, keepLogs: false, nodeFlags: [...(options.nodeFlags ?? []), ...extraFlags] }),
          );
        }
      } else {
        servers.push(await startBaseline(options.server, [String(options.tickRate ?? 30), String(options.ackEvery ?? 1)], options.nodeFlags ?? []));
      }
      const urls = options.target?.url ?? servers.map((s) => s.url).join(",");
      for (let g = 0; g < options.generators; g++) {
        const args = [
          "--client",
          options.client,
          "--game",
          options.game,
          "--urls",
          urls,
          "--name",
          `G${g}`,
          "--input-acks",
          options.inputAcks === false ? "off" : "on",
          "--encoding",
          options.encoding ?? "json",
        ];
        const child = spawnScript("bench/generator/main.ts", args, { cpu: GENERATOR_CPU, stdin: "pipe" });
        child.stdin!.on("error", () => undefined);
        generators.push(new Generator(child));
      }
      return new Fleet(servers, generators, redis, options.tickRate);
    } catch (error) {
      await new Fleet(servers, generators, redis, options.tickRate).stop();
      throw error;
    }
  }

  /**
   * Reads every server, each at its next cycle boundary (so that counts cover whole tick periods),
   * then every generator at once after: both within a millisecond or two of each other.
   */
  async read(): Promise<{ servers: StreamSnapshot[]; generators: GeneratorSample[] }> {
    const query = this.tickRate ? `?tickRate=${this.tickRate}` : "";
    const servers = await Promise.all(this.servers.map(async (s) => (await (await fetch(`${s.url}/metrics/latency${query}`)).json()) as StreamSnapshot));
    const generators = await this.all<GeneratorSample>({ cmd: "sample" }, "sample");
    return { servers, generators };
  }

  /** The ports of the fleet's Redis (every master of a Cluster); none without Redis. */
  redisPorts(): number[] {
    return this.redis?.ports ?? [];
  }

  /** Commands the fleet's Redis has processed so far (every master of a Cluster), from `INFO stats`. */
  async redisCommands(): Promise<number> {
    let total = 0;
    for (const port of this.redis?.ports ?? []) {
      const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      const info = await client.info("stats");
      client.disconnect();
      total += Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
    }
    return total;
  }

  /** Sends a command to every generator and resolves with all their answers of type `answer`. */
  all<T>(command: object, answer: string): Promise<T[]> {
    return Promise.all(this.generators.map((g) => g.ask<T>(command, answer)));
  }

  /** Connects `players` in all, spread evenly over the generators. */
  async connect(players: number): Promise<void> {
    const n = this.generators.length;
    await Promise.all(this.generators.map((g, i) => g.ask({ cmd: "connect", players: share(players, n, i) }, "connected")));
  }

  /** The first `players` in all (spread as `connect` spread them) queue and play; resolves with how many play. */
  async play(players: number): Promise<number> {
    const n = this.generators.length;
    const answers = await Promise.all(this.generators.map((g, i) => g.ask<{ inMatch: number }>({ cmd: "play", players: share(players, n, i) }, "playing")));
    return answers.reduce((a, b) => a + b.inMatch, 0);
  }

  async stop(): Promise<void> {
    // Asked first, so that a generator can write its CPU profile; killed if it does not go.
    await Promise.all(
      this.generators.map(async (g) => {
        if (g.child.exitCode !== null) return;
        const exited = new Promise((resolve) => g.child.once("exit", resolve));
        g.child.stdin!.write(`${JSON.stringify({ cmd: "close" })}\n`);
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        g.child.kill("SIGKILL");
      }),
    );
    await Promise.all(this.servers.map((s) => s.kill().catch(() => undefined)));
    await this.redis?.stop();
  }
}

/** Generator `i`'s share of `total` players over `n` generators. */
const share = (total: number, n: number, i: number) => Math.floor(total / n) + (i < total % n ? 1 : 0);

async function startBaseline(kind: ServerKind, args: string[], nodeFlags: string[]): Promise<ServerUnderTest> {
  const port = await freePort();
  // The same Node.js flags as Arena's server: the comparison is of code, not of collector settings.
  // `BENCH_BASE_NODE_FLAGS` adds a diagnostic's (`--trace-gc-nvp`); `BENCH_SERVER_STDOUT` keeps what it prints.
  const child = spawnScript(`bench/baselines/${kind}.ts`, [String(port), ...args], {
    cpu: SERVER_CPU,
    nodeFlags: [...SERVER_NODE_FLAGS, ...nodeFlags, ...(process.env.BENCH_BASE_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [])],
  });
  const lines = createInterface({ input: child.stdout! });
  if (process.env.BENCH_SERVER_STDOUT) lines.on("line", (line) => appendFileSync(`${process.env.BENCH_SERVER_STDOUT}.base.${child.pid}`, `${line}\n`));
  await new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      if (line.includes('"listening"')) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${kind} baseline exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    async kill() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
