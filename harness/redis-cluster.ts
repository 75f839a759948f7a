import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, hasRedisServer, waitForPort } from "./private-redis.ts";

/** A private Redis Cluster of three masters on loopback, with no persistence, owned by whoever started it. */
export interface PrivateRedisCluster {
  /** The masters' URLs, comma-separated: what `REDIS_URL` takes with `REDIS_CLUSTER=true`. */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

async function clusterReady(port: number): Promise<boolean> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const info = String(await client.cluster("INFO"));
    return info.includes("cluster_state:ok");
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts three `redis-server --cluster-enabled yes` on free ports and joins them with
 * `redis-cli --cluster create` (three masters, no replicas), then waits until every node reports
 * `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<PrivateRedisCluster> {
  if (!hasRedisServer()) throw new Error("redis-server is not on PATH: install it (Debian: apt-get install redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "arena-cluster-"));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      ports.push(port);
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];
      args.push("--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--cluster-node-timeout", "2000");
      const child = spawn("redis-server", args, { stdio: "ignore", cwd: dir });
      children.push(child);
      await waitForPort(port, child);
    }
    const create = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
    const deadline = Date.now() + 15_000;
    for (const port of ports) {
      while (!(await clusterReady(port))) {
        if (Date.now() > deadline) throw new Error(`Redis Cluster node ${port} did not reach cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: ports.map((p) => `redis://127.0.0.1:${p}`).join(","), ports, stop };
}
