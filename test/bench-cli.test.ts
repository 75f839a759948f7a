import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { spawnNode, stopAll, type ChildNode } from "./support/servers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const bench = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], { cwd: ROOT, encoding: "utf8" });

describe("npm run bench: its usage", () => {
  it("--help prints the usage and exits 0", () => {
    const result = bench("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run bench -- --scenario steady\|capacity/);
  });

  it.each([
    [["--bogus", "1"], "Unknown option '--bogus'"],
    [["--scenario", "nope"], "unknown scenario nope"],
    [["--players", "3"], "--players must be even"],
    [["--target", "http://127.0.0.1:1", "--baseline", "raw-uws"], "--target runs the steady scenario with the sdk client and no baseline"],
    [["--target", "not a url"], "not a URL: not a url"],
  ])("%j is bad usage: exit 2 and one line saying why, no stack trace", (args, why) => {
    const result = bench(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`bench: ${why}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("npm run bench -- --target: a deployment the bench did not start", () => {
  const nodes: ChildNode[] = [];
  let out = "";
  afterAll(async () => {
    await stopAll(nodes);
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("plays the steady scenario against the running node's address and reads the node's own figures", async () => {
    const node = await spawnNode({ ENGINE: "uws", PONG_TICK_RATE: "20" });
    nodes.push(node);
    out = mkdtempSync(join(tmpdir(), "arena-bench-target-"));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "--scenario", "steady", "--target", node.url, "--players", "10", "--duration", "2s", "--out", out],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let said = "";
    for (const stream of [child.stdout!, child.stderr!]) stream.on("data", (chunk: Buffer) => (said += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number];
    expect(code, said).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
      cores: string;
      config: { target: { url: string; metrics: string[] }; client: string; tickRate: number };
      runs: { engine: string; players: number; statesPerSecond: number; errors: number }[];
    };
    expect(report.config).toMatchObject({ target: { url: node.url, metrics: [node.url] }, client: "sdk", tickRate: 20 });
    expect(report.cores).toMatch(/^the target's nodes run elsewhere/);
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]).toMatchObject({ engine: `target ${new URL(node.url).host}`, players: 10, errors: 0 });
    // 5 matches at 20 Hz, two players each: states reached them.
    expect(report.runs[0]!.statesPerSecond).toBeGreaterThan(100);
  }, 120_000);
});
