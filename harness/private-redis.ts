import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A private `redis-server` with no persistence, owned by the test that started it. */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  restart(): Promise<void>;
}

export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function waitForPort(port: number, child: ChildProcess, host = "127.0.0.1"): Promise<void> {
  const { Socket } = await import("node:net");
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("error", () => resolve(false));
      socket.connect(port, host, () => {
        socket.write("PING\r\n");
        socket.once("data", (data) => {
          socket.destroy();
          resolve(data.toString().startsWith("+PONG"));
        });
      });
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

/** Starts a private redis-server on a free port (no RDB, no AOF). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  if (!hasRedisServer()) {
    throw new Error("redis-server is not on PATH: install it (Debian: apt-get install redis-server) or set REDIS_URL to a Redis the tests may use");
  }
  const port = await freePort();
  let child: ChildProcess;
  const launch = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], {
      stdio: "ignore",
    });
    await waitForPort(port, child);
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  await launch();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: launch };
}
