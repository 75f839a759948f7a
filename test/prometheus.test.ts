import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../harness/index.ts";
import { closeAllClients, eventually } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const RULES = fileURLToPath(new URL("../ops/prometheus/arena-rules.yml", import.meta.url));
const DASHBOARD = fileURLToPath(new URL("../ops/grafana/arena-dashboard.json", import.meta.url));

/** Debian's `prometheus` package: the rules as an operator loads them, and a real scrape of two nodes. */
describe("Prometheus", () => {
  let nodes: ChildNode[] = [];
  let prometheus: ChildProcess | undefined;
  let dir = "";
  let api = "";

  beforeAll(async () => {
    const env = { REDIS_URL: inject("redisUrl"), REDIS_PREFIX: testPrefix(), ARENA_SECRET: testSecret() };
    nodes = [await spawnNode({ ...env, NODE_ID: "prom-a" }), await spawnNode({ ...env, NODE_ID: "prom-b" })];
    dir = mkdtempSync(join(tmpdir(), "arena-prometheus-"));
    const targets = nodes.map((n) => JSON.stringify(new URL(n.url).host)).join(", ");
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: [${JSON.stringify(RULES)}]\nscrape_configs:\n  - job_name: arena\n    static_configs: [{ targets: [${targets}] }]\n`,
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}/api/v1`;
    prometheus = spawn(
      "prometheus",
      [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
      {
        stdio: "ignore",
      },
    );
  }, 60_000);
  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill("SIGTERM");
      await once(prometheus, "exit");
    }
    closeAllClients();
    await stopAll(nodes);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (promql: string) => {
    const response = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (!response?.ok) return [];
    return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };

  it("promtool accepts the rules file", () => {
    const checked = spawnSync("promtool", ["check", "rules", RULES], { encoding: "utf8" });
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("scrapes every node's arena_* series, and loads every rule the file holds", async () => {
    const instances = nodes.map((n) => new URL(n.url).host).sort();
    // A match on each node fills its histograms (pairing, tick lateness, state round trips).
    for (const node of nodes) await startMatch("pong", [node.url, node.url]);
    await eventually(async () => (await query('up{job="arena"} == 1')).length === nodes.length, 60_000, "both nodes scraped");
    // Scraped every second: each series is waited for, not read once (a loaded machine scrapes late).
    const seenOn = async (series: string) => [...new Set((await query(`${series}{job="arena"}`)).map((r) => r.metric.instance!))].sort();
    for (const series of ["arena_open_connections", "arena_max_connections", "arena_tick_lateness_seconds_bucket", "arena_state_ack_rtt_seconds_bucket"]) {
      await eventually(async () => JSON.stringify(await seenOn(series)) === JSON.stringify(instances), 30_000, `${series} from both nodes`);
    }
    // Pairing runs on whichever node's pass takes the tickets (they share one Redis): seen on one at least.
    await eventually(async () => (await seenOn("arena_time_to_pair_seconds_bucket")).length > 0, 30_000, "time to pair");
    const rules = (await (await fetch(`${api}/rules`)).json()) as { data: { groups: { rules: { name: string }[] }[] } };
    expect(rules.data.groups.flatMap((g) => g.rules).length).toBe(14);
  }, 90_000);

  it("the Grafana dashboard's every query is valid PromQL, over metrics a node exports or the rules record", async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
    const exported = new Set([...(await (await fetch(`${nodes[0]!.url}/metrics`)).text()).matchAll(/^# TYPE (arena_\w+)/gm)].map((m) => m[1]!));
    const recorded = new Set([...readFileSync(RULES, "utf8").matchAll(/record: (\S+)/g)].map((m) => m[1]!));
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        // Prometheus parses it (a bad query answers 400).
        const response = await fetch(`${api}/query?query=${encodeURIComponent(expr)}`);
        expect(response.status, `${panel.title}: ${expr}`).toBe(200);
        for (const [name] of expr.matchAll(/\barena[:_][\w:]+/g)) {
          const family = name.replace(/_(bucket|sum|count)$/, "");
          expect(exported.has(family) || recorded.has(name), `${panel.title}: ${name}`).toBe(true);
        }
      }
    }
  }, 60_000);
});
