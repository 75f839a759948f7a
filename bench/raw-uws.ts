/**
 * The transport's limit, for comparison: a bare uWebSockets.js server sending the same bytes at the
 * same rate as Arena's pong state (one Socket.IO-shaped frame per connection per tick, 30 Hz), and
 * clients answering each with an ack-sized frame. Run as two processes by `npm run bench`:
 *   tsx bench/raw-uws.ts server <port>        |   tsx bench/raw-uws.ts clients <port> <connections> <seconds>
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { loadUws } from "../server/uws-native.ts";

const [role, portArg = "9100", countArg = "100", secondsArg = "10"] = process.argv.slice(2);
const TICK_MS = 1000 / 30;
/** A state frame the size Arena sends: `42/pong,<ack id>["state",{matchId, tick, state}]`. */
const frame = (tick: number) =>
  `42/pong,${tick}["state",{"matchId":"m_0123456789abcdef0123456789abcdef","tick":${tick},"state":{"ball":{"x":0.5123456789,"y":0.4321098765},"paddles":[0.5,0.5166666667],"score":[1,2]}}]`;

if (role === "server") {
  const { uws } = loadUws();
  const sockets = new Set<import("uWebSockets.js").WebSocket<unknown>>();
  let acks = 0;
  let sent = 0;
  const app = uws.App();
  app.ws("/*", {
    maxBackpressure: 16 * 1024 * 1024,
    open: (ws) => void sockets.add(ws),
    message: () => void acks++,
    close: (ws) => void sockets.delete(ws),
  });
  app.get("/stats", (res) => {
    const cpu = process.cpuUsage();
    res.end(JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage().rss, sent, acks, connections: sockets.size }));
  });
  let tick = 0;
  let next = performance.now() + TICK_MS;
  const loop = () => {
    tick++;
    const data = frame(tick);
    for (const ws of sockets) ws.send(data);
    sent += sockets.size;
    next += TICK_MS;
    setTimeout(loop, Math.max(0, next - performance.now()));
  };
  app.listen("127.0.0.1", Number(portArg), (token) => {
    if (!token) process.exit(1);
    process.stdout.write(`${JSON.stringify({ type: "listening" })}\n`);
    setTimeout(loop, TICK_MS);
  });
} else {
  const count = Number(countArg);
  const seconds = Number(secondsArg);
  let received = 0;
  const clients: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${portArg}/`);
    ws.on("message", (data) => {
      received++;
      const text = data.toString();
      const id = text.slice(8, text.indexOf("["));
      ws.send(`43/pong,${id}[{"tick":${id}}]`);
    });
    clients.push(ws);
    await new Promise((resolve) => ws.once("open", resolve));
  }
  process.stdout.write(`${JSON.stringify({ type: "ready" })}\n`);
  const cpu = process.cpuUsage();
  const before = received;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ type: "done", statesPerSecond: Math.round((received - before) / seconds), cpuPercent: Math.round(((used.user + used.system) / 1e6 / seconds) * 100) })}\n`);
  for (const ws of clients) ws.terminate();
  process.exit(0);
}
