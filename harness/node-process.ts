import { appendFileSync } from "node:fs";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Makes a spawned process exit when the process that spawned it is gone (no orphans left running). */
const EXIT_WITH_PARENT = new URL("./exit-with-parent.ts", import.meta.url).href;

/** True when `taskset` (util-linux) can pin processes to cores. */
export function hasTaskset(): boolean {
  try {
    return spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

/**
 * The Node.js flags `npm start` gives the server (package.json; a test keeps the two equal): a 64 MB
 * young generation halves the collector's pauses under the state stream's allocation rate
 * (bench/RESULTS.md), which is what holds the tail latencies back.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=64"];

/** Runs a TypeScript entry point of this project in its own process, pinned to `cpu` when taskset exists. */
export function spawnScript(
  script: string,
  args: string[],
  options: {
    cpu?: number;
    env?: NodeJS.ProcessEnv;
    stdin?: "pipe" | "ignore";
    stderr?: "pipe" | "inherit";
    nodeFlags?: string[];
    fdLimit?: number;
    /** A command that runs the rest (each execs it in place: the child's pid stays the script's), e.g. `ip netns exec <name>`. */
    within?: string[];
  } = {},
): ChildProcess {
  // BENCH_PROFILE_DIR: every process the bench starts writes a CPU profile there (`node --cpu-prof`).
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}/${script.replace(/\W+/g, "-")}`] : [];
  const command = [process.execPath, ...(options.nodeFlags ?? []), ...profile, "--import", "tsx", "--import", EXIT_WITH_PARENT, script, ...args];
  // fdLimit: the open-file limit, soft and hard (prlimit, util-linux), as an operator's LimitNOFILE sets it.
  const limited = options.fdLimit === undefined ? command : ["prlimit", `--nofile=${options.fdLimit}:${options.fdLimit}`, "--", ...command];
  const pinned = [...(options.within ?? []), ...(options.cpu !== undefined && hasTaskset() ? ["taskset", "-c", String(options.cpu), ...limited] : limited)];
  return spawn(pinned[0]!, pinned.slice(1), {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: [options.stdin ?? "ignore", "pipe", options.stderr ?? "inherit"],
  });
}

/** An Arena node in a child process (`server/main.ts`), as an operator runs it. */
export interface ChildNode {
  url: string;
  port: number;
  nodeId: string;
  process: ChildProcess;
  /** Every log line the node wrote, parsed. */
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a node and waits until it listens. */
export async function spawnNode(
  env: Record<string, string>,
  options: {
    pinToCpu?: number;
    keepLogs?: boolean;
    echo?: boolean;
    fdLimit?: number;
    nodeFlags?: string[];
    untilReady?: boolean;
    /** Runs the node in this network namespace, listening on every address there; its `url` is at `ip`. */
    netns?: { name: string; ip: string };
  } = {},
): Promise<ChildNode> {
  const nodeId = env.NODE_ID ?? `n${randomBytes(3).toString("hex")}`;
  const child = spawnScript("server/main.ts", [], {
    nodeFlags: [...SERVER_NODE_FLAGS, ...(options.nodeFlags ?? [])],
    cpu: options.pinToCpu,
    fdLimit: options.fdLimit,
    within: options.netns && ["ip", "netns", "exec", options.netns.name],
    // The tests and the bench mint hundreds of guests from one address; a test of the limit sets its own.
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "info",
      NODE_ID: nodeId,
      GUEST_TOKENS_PER_MINUTE: "1000000",
      HTTP_READS_PER_MINUTE: "1000000",
      ...env,
      ...(options.netns ? { HOST: "0.0.0.0" } : {}),
    },
    stderr: "pipe",
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`node ${nodeId} did not start within 60 s: ${stderr.join("")}`)), 60_000);
    let listening = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      if (options.echo) process.stdout.write(chunk);
      // `BENCH_SERVER_STDOUT=prefix`: a copy of everything the node writes (a `--trace-gc-nvp` trace included) in prefix.<pid>.
      if (process.env.BENCH_SERVER_STDOUT) appendFileSync(`${process.env.BENCH_SERVER_STDOUT}.${child.pid}`, chunk);
      // A bench reads the logs only until the node listens, then just drains them.
      if (listening && options.keepLogs === false) return;
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === "arena listening") {
            listening = true;
            clearTimeout(timer);
            resolve(entry.port as number);
          }
        } catch {
          stderr.push(line);
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`node ${nodeId} exited with ${code} before listening: ${stderr.join("")}`));
    });
  });
  // A node listens before its Redis connections are up (it must start without Redis); on a loaded
  // machine they can take seconds, during which it refuses players UNAVAILABLE. Callers get a node
  // that is ready (after 10 s, as it is); `untilReady: false` for a node whose Redis is meant to be unreachable.
  const base = `http://${options.netns?.ip ?? "127.0.0.1"}:${port}`;
  if (env.REDIS_URL && options.untilReady !== false) await untilReady(`${base}/readyz`, 10_000);
  return {
    url: base,
    port,
    nodeId,
    process: child,
    logs,
    stderr,
    exited,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      const crash = logs.find((line) => line.msg === "uncaught exception" || line.msg === "unhandled rejection");
      if (crash) throw new Error(`node ${nodeId} logged an ${String(crash.msg)}: ${JSON.stringify(crash.err)}`);
      return result;
    },
  };
}

/** Polls a node's `/readyz` until it answers 200, for at most `ms`. */
async function untilReady(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
