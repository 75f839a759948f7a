import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnNode, type ChildNode } from "./node-process.ts";
import { freePort } from "./private-redis.ts";
import { startRedisCluster, type PrivateRedisCluster } from "./redis-cluster.ts";

/** The production shape on one machine: a Redis Cluster, Arena nodes, and HAProxy in front. */
export interface LocalCluster {
  /** Where clients connect: HAProxy. */
  url: string;
  nodes: ChildNode[];
  /** Nodes replaced by `restart`, with their logs. */
  past: ChildNode[];
  redis: PrivateRedisCluster;
  haproxy: ChildProcess;
  /**
   * Replaces node `index` as a deploy does: SIGTERM (it stops taking players and hands its running
   * matches to the live nodes), then, once it exited, a new process (a new node id) on the same
   * address. Resolves when the new one listens; HAProxy sends it players once `/readyz` says 200.
   */
  restart(index: number): Promise<ChildNode>;
  /** Restarts every node in turn, each back and ready before the next goes. */
  rollingRestart(say?: (line: string) => void): Promise<void>;
  stop(): Promise<void>;
}

/** The haproxy binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
export function haproxyBinary(): string | undefined {
  return ["haproxy", "/usr/sbin/haproxy"].find((bin) => spawnSync(bin, ["-v"], { stdio: "ignore" }).status === 0);
}

/**
 * The HAProxy configuration an operator would deploy in front of Arena nodes: WebSocket-friendly
 * timeouts (a tunnel lasts as long as the game), the least-loaded node for each new connection,
 * and `/readyz` as the health check, so that a draining or Redis-less node gets no new players.
 */
export function haproxyConfig(port: number, nodes: { name: string; address: string }[]): string {
  return [
    "global",
    "  maxconn 8000",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  timeout tunnel 1h",
    "  timeout http-keep-alive 5s",
    // The nodes learn each client's address from X-Forwarded-For (TRUST_PROXY names this proxy).
    "  option forwardfor",
    "frontend arena",
    `  bind 127.0.0.1:${port}`,
    "  default_backend nodes",
    "backend nodes",
    "  balance leastconn",
    // A new connection that cannot reach a dead node tries another at once (clients of a match
    // whose host died come back through here before the health check has noticed).
    "  retries 2",
    "  option redispatch 1",
    // HTTP/1.1 with a Host header: uWebSockets.js does not answer haproxy's default HTTP/1.0 check.
    "  option httpchk",
    "  http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host arena",
    "  http-check expect status 200",
    ...nodes.map((n) => `  server ${n.name} ${n.address} check inter 1s fall 2 rise 1`),
    "",
  ].join("\n");
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** Starts a 3-master Redis Cluster, `nodes` Arena nodes with their own `PUBLIC_URL`s, and HAProxy on `port`. */
export async function startLocalCluster(options: { nodes: number; port: number; env?: Record<string, string>; echoLogs?: boolean }): Promise<LocalCluster> {
  const binary = haproxyBinary();
  if (!binary) throw new Error("haproxy is missing: install it (Debian: apt-get install haproxy)");
  const redis = await startRedisCluster();
  const nodes: ChildNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), "arena-haproxy-"));
  let haproxy: ChildProcess | undefined;
  const stop = async () => {
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) {
      const exited = new Promise((resolve) => haproxy!.once("exit", resolve));
      haproxy.kill("SIGTERM");
      await exited;
    }
    await Promise.all(nodes.map((n) => n.kill("SIGTERM").catch(() => undefined)));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const secret = options.env?.ARENA_SECRET ?? (await import("node:crypto")).randomBytes(32).toString("hex");
    const envs: Record<string, string>[] = [];
    for (let i = 0; i < options.nodes; i++) {
      const port = await freePort();
      const env = {
        REDIS_URL: redis.url,
        REDIS_CLUSTER: "true",
        ARENA_SECRET: secret,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        NODE_ID: `node-${i + 1}`,
        TRUST_PROXY: "127.0.0.1",
        ...options.env,
      };
      envs.push(env);
      nodes.push(await spawnNode(env, { keepLogs: !options.echoLogs, echo: options.echoLogs ?? false }));
    }
    const generations = nodes.map(() => 0);
    const past: ChildNode[] = [];
    const restart = async (index: number) => {
      const old = nodes[index]!;
      await old.kill("SIGTERM");
      past.push(old);
      const env = { ...envs[index]!, NODE_ID: `node-${index + 1}-r${++generations[index]!}` };
      const fresh = await spawnNode(env, { keepLogs: !options.echoLogs, echo: options.echoLogs ?? false });
      nodes[index] = fresh;
      return fresh;
    };
    const config = join(dir, "haproxy.cfg");
    writeFileSync(
      config,
      haproxyConfig(
        options.port,
        nodes.map((n) => ({ name: n.nodeId, address: `127.0.0.1:${n.port}` })),
      ),
    );
    haproxy = spawn(binary, ["-f", config, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
    let said = "";
    haproxy.stderr!.on("data", (chunk: Buffer) => (said += chunk.toString()));
    const url = `http://127.0.0.1:${options.port}`;
    const deadline = Date.now() + 15_000;
    while (!(await answers(`${url}/readyz`))) {
      if (haproxy.exitCode !== null) throw new Error(`haproxy exited with ${haproxy.exitCode}: ${said.trim()}`);
      if (Date.now() > deadline) throw new Error("haproxy did not answer /readyz within 15 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const rollingRestart = async (say: (line: string) => void = () => undefined) => {
      for (let i = 0; i < nodes.length; i++) {
        const old = nodes[i]!;
        const started = Date.now();
        const fresh = await restart(i);
        while (!(await answers(`${fresh.url}/readyz`))) await new Promise((resolve) => setTimeout(resolve, 100));
        say(JSON.stringify({ msg: "node restarted", old: old.nodeId, node: fresh.nodeId, url: fresh.url, ms: Date.now() - started }));
      }
    };
    return { url, nodes, past, redis, haproxy, restart, rollingRestart, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
