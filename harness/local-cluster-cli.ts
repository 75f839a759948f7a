/**
 * `npm run cluster -- --nodes 3 --port 8080`: the production shape on one machine. A 3-master
 * Redis Cluster, N Arena nodes with their own PUBLIC_URLs, and HAProxy in front on --port.
 * Ctrl-C (or SIGTERM) stops everything it started.
 *
 * `npm run cluster -- --port 8080 --rolling-restart`: the cluster running on that port restarts its
 * nodes one by one, as a deploy does (each hands its matches over on SIGTERM; see the README). The
 * same happens when that cluster gets SIGHUP, or reads `rolling-restart` on its standard input.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startLocalCluster } from "./local-cluster.ts";

const usage = "usage: npm run cluster -- [--nodes 1..16] [--port 1..65535] [--rolling-restart]\n";
let values: { nodes: string; port: string; "rolling-restart"?: boolean };
try {
  values = parseArgs({
    options: { nodes: { type: "string", default: "3" }, port: { type: "string", default: "8080" }, "rolling-restart": { type: "boolean" } },
  }).values as typeof values;
} catch (error) {
  process.stderr.write(`cluster: ${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const nodes = Number(values.nodes);
const port = Number(values.port);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16 || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(usage);
  process.exit(2);
}
const pidFile = join(tmpdir(), `arena-cluster-${port}.pid`);
const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

if (values["rolling-restart"]) {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8"));
    process.kill(pid, "SIGHUP");
  } catch {
    process.stderr.write(`cluster: no cluster of this command runs on port ${port} (${pidFile})\n`);
    process.exit(1);
  }
  say({ msg: "rolling restart asked: the cluster's output shows each node's turn", pid, port });
  process.exit(0);
}

// The nodes' log lines go to this process's output, as they come.
const cluster = await startLocalCluster({ nodes, port, echoLogs: true }).catch((error: Error) => {
  process.stderr.write(`cluster: ${error.message}\n`);
  process.exit(1);
});
writeFileSync(pidFile, String(process.pid));
say({ msg: "cluster ready", url: cluster.url, nodes: cluster.nodes.map((n) => ({ node: n.nodeId, url: n.url })), redis: cluster.redis.url });

let rolling: Promise<void> | undefined;
const rollingRestart = () => {
  if (rolling) return say({ msg: "a rolling restart is under way already" });
  say({ msg: "rolling restart: one node at a time" });
  rolling = cluster
    .rollingRestart((line) => process.stdout.write(`${line}\n`))
    .then(
      () => say({ msg: "rolling restart done", nodes: cluster.nodes.map((n) => ({ node: n.nodeId, url: n.url })) }),
      (error: Error) => say({ msg: "rolling restart failed", error: error.message }),
    )
    .finally(() => {
      rolling = undefined;
    });
};
process.on("SIGHUP", rollingRestart);
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "rolling-restart") rollingRestart();
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  rmSync(pidFile, { force: true });
  void cluster.stop().then(() => {
    say({ msg: "cluster stopped" });
    process.exit(0);
  });
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
