import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { createArenaServer, loadConfig, type ArenaServer, type EngineName } from "../../server/index.ts";

export const ENGINES: EngineName[] = ["uws", "ws"];
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A secret shared by the nodes of one test cluster. */
export function testSecret(): string {
  return randomBytes(24).toString("hex");
}

/** A Redis key prefix private to one test cluster, so parallel test files never meet in Redis. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

export interface InProcessServer {
  server: ArenaServer;
  url: string;
  stop(): Promise<void>;
}

/** Starts an Arena node in this process on a free port. */
export async function startServer(env: Record<string, string> = {}): Promise<InProcessServer> {
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "silent", ...env });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const server = createArenaServer({ config, logger });
  const port = await server.start();
  return { server, url: `http://127.0.0.1:${port}`, stop: () => server.stop() };
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
export async function spawnNode(env: Record<string, string>): Promise<ChildNode> {
  const nodeId = env.NODE_ID ?? `n${randomBytes(3).toString("hex")}`;
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", NODE_ID: nodeId, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`node ${nodeId} did not start within 20 s: ${stderr.join("")}`)), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === "arena listening") {
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
  return {
    url: `http://127.0.0.1:${port}`,
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
