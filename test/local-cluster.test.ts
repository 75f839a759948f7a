import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { connect, fetchGuestToken, type ArenaClient } from "../clients/sdk/index.ts";
import type { MatchEnd, MatchFound } from "../protocol/index.ts";
import { freePort } from "./support/redis-process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const clients: ArenaClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const answers = (url: string) =>
  fetch(url).then(
    (r) => r.status,
    () => 0,
  );

describe("npm run cluster", () => {
  it("starts a Redis Cluster, two nodes and HAProxy; players joining through HAProxy play on the host; Ctrl-C stops it all", async () => {
    const port = await freePort();
    const cli = spawn(process.execPath, ["--import", "tsx", "harness/local-cluster-cli.ts", "--nodes", "2", "--port", String(port)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    cli.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: cli.stdout! });
    const ready = await new Promise<{ url: string; nodes: { node: string; url: string }[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "cluster ready" within 40 s: ${stderr}`)), 40_000);
      lines.on("line", (line) => {
        if (!line.includes('"cluster ready"')) return;
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
      cli.once("exit", (code) => reject(new Error(`npm run cluster exited with ${code}: ${stderr}`)));
    });
    expect(ready.url).toBe(`http://127.0.0.1:${port}`);
    expect(ready.nodes).toHaveLength(2);
    expect(await answers(`${ready.url}/readyz`)).toBe(200);

    const join = async (name: string) => {
      const identity = await fetchGuestToken(ready.url, name);
      const client = connect({ url: ready.url, game: "tictactoe", token: identity.token, autoReady: true });
      clients.push(client);
      await client.connected();
      return client;
    };
    const ann = await join("Ann");
    const bob = await join("Bob");
    const found = new Promise<MatchFound>((resolve) => ann.on("found", resolve));
    const ended = new Promise<MatchEnd>((resolve) => bob.on("end", resolve));
    const started = new Promise((resolve) => ann.on("start", resolve));
    await ann.queue();
    await bob.queue();
    const { host } = await found;
    // both joined through HAProxy: both move to the host's own address
    expect(ready.nodes.map((n) => n.url)).toContain(host.url);
    await started;
    expect(ann.url).toBe(host.url);

    // `--rolling-restart` asks the running cluster to restart its nodes one by one: the match moves
    // with its host each time (match:moving), and goes on.
    const moves: string[] = [];
    ann.on("moving", (moving) => moves.push(moving.host.node));
    const done = new Promise<{ nodes: { node: string; url: string }[] }>((resolve) =>
      lines.on("line", (line) => line.includes('"rolling restart done"') && resolve(JSON.parse(line))),
    );
    const asked = spawn(process.execPath, ["--import", "tsx", "harness/local-cluster-cli.ts", "--port", String(port), "--rolling-restart"], { cwd: ROOT });
    expect((await once(asked, "exit"))[0]).toBe(0);
    const rolled = await done;
    expect(rolled.nodes.map((n) => n.node)).toEqual(["node-1-r1", "node-2-r1"]);
    expect(moves.length).toBeGreaterThan(0);
    expect(rolled.nodes.map((n) => n.node)).toContain(moves.at(-1));
    expect(ann.url).toBe(bob.url);
    await ann.forfeit();
    expect((await ended).reason).toBe("forfeit");
    expect(bob.url).toBe(host.url);

    cli.kill("SIGINT");
    const [code] = (await once(cli, "exit")) as [number];
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(await answers(`${ready.url}/readyz`)).toBe(0);
    for (const node of ready.nodes) expect(await answers(`${node.url}/healthz`)).toBe(0);
  }, 60_000);
});
