/**
 * `npm run cluster -- --nodes 3 --port 8080`: the production shape on one machine. A 3-master
 * Redis Cluster, N Arena nodes with their own PUBLIC_URLs, and HAProxy in front on --port.
 * Ctrl-C (or SIGTERM) stops everything it started.
 */
import { parseArgs } from "node:util";
import { startLocalCluster } from "./local-cluster.ts";

const { values } = parseArgs({ options: { nodes: { type: "string", default: "3" }, port: { type: "string", default: "8080" } } });
const nodes = Number(values.nodes);
const port = Number(values.port);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16 || !Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write("usage: npm run cluster -- --nodes 1..16 --port 1..65535\n");
  process.exit(2);
}
// The nodes' log lines go to this process's output, as they come.
const cluster = await startLocalCluster({ nodes, port, echoLogs: true }).catch((error: Error) => {
  process.stderr.write(`cluster: ${error.message}\n`);
  process.exit(1);
});
process.stdout.write(
  `${JSON.stringify({ msg: "cluster ready", url: cluster.url, nodes: cluster.nodes.map((n) => ({ node: n.nodeId, url: n.url })), redis: cluster.redis.url })}\n`,
);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void cluster.stop().then(() => {
    process.stdout.write(`${JSON.stringify({ msg: "cluster stopped" })}\n`);
    process.exit(0);
  });
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
