import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Announcement } from "../protocol/index.ts";
import { closeAllClients, connectGuest, waitFor } from "./support/clients.ts";
import { redisEnv, spawnNode, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("announcements from another process", () => {
  const nodes: ChildNode[] = [];
  afterAll(async () => {
    closeAllClients();
    await Promise.all(nodes.map((n) => n.kill()));
  });

  it.each(["redis", "redis-cluster"] as const)("npm run announce reaches a player on each of two nodes, and only in that game (%s)", async (redis) => {
    const env: Record<string, string> = { ENGINE: "uws", ...redisEnv(redis), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret() };
    const [a, b] = await Promise.all([spawnNode(env), spawnNode(env)]);
    nodes.push(a, b);
    const onA = (await connectGuest(a.url, "pong")).socket;
    const onB = (await connectGuest(b.url, "pong")).socket;
    const other = (await connectGuest(a.url, "tictactoe")).socket;
    const heardByOther: string[] = [];
    other.on("announcement", (a: Announcement) => heardByOther.push(a.text));
    const heard = Promise.all([waitFor<Announcement>(onA, "announcement"), waitFor<Announcement>(onB, "announcement")]);
    const cli = spawn(process.execPath, ["--import", "tsx", "server/relay/announce-cli.ts", "--game", "pong", "Maintenance", "at", "noon"], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: env.REDIS_URL, REDIS_CLUSTER: env.REDIS_CLUSTER ?? "false", REDIS_PREFIX: env.REDIS_PREFIX },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    cli.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(cli, "exit")) as [number];
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const [x, y] = await heard;
    expect(x.text).toBe("Maintenance at noon");
    expect(y).toEqual(x);
    expect(typeof x.at).toBe("number");
    // the positive control: an announcement to tictactoe reaches that socket, and it is the only one it hears
    const control = waitFor<Announcement>(other, "announcement");
    const second = spawn(process.execPath, ["--import", "tsx", "server/relay/announce-cli.ts", "--game", "tictactoe", "Tictactoe", "only"], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: env.REDIS_URL, REDIS_CLUSTER: env.REDIS_CLUSTER ?? "false", REDIS_PREFIX: env.REDIS_PREFIX },
      stdio: "ignore",
    });
    expect(((await once(second, "exit")) as [number])[0]).toBe(0);
    expect((await control).text).toBe("Tictactoe only");
    expect(heardByOther).toEqual(["Tictactoe only"]);
  });

  it("refuses to run without a game, text or REDIS_URL", async () => {
    for (const [args, env] of [
      [["--game", "pong"], { REDIS_URL: "redis://127.0.0.1:1" }],
      [["hello"], { REDIS_URL: "redis://127.0.0.1:1" }],
      [["--game", "pong", "hello"], { REDIS_URL: "" }],
    ] as [string[], Record<string, string>][]) {
      const cli = spawn(process.execPath, ["--import", "tsx", "server/relay/announce-cli.ts", ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: "ignore",
      });
      const [code] = (await once(cli, "exit")) as [number];
      expect(code).toBe(2);
    }
  });
});
