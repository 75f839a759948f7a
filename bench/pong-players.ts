/**
 * Load generator for the pong bench, run as its own process: N players queue, ready, and play
 * pong (following the ball) for a duration, acknowledging every state. Prints one JSON line.
 *   tsx bench/pong-players.ts <url> <players> <seconds>
 */
import { performance } from "node:perf_hooks";
import { pongDirection } from "../clients/bot/index.ts";
import { connectMany } from "./client.ts";

type PongView = { ball: { x: number; y: number }; paddles: [number, number]; score: [number, number] };

const [url = "http://127.0.0.1:3000", playersArg = "1000", secondsArg = "20"] = process.argv.slice(2);
const PLAYERS = Number(playersArg);
const SECONDS = Number(secondsArg);

const sockets = await connectMany(url, "pong", PLAYERS);
let started = 0;
let states = 0;
let inputs = 0;
let errors = 0;
let ended = 0;
for (const socket of sockets) {
  let seq = 0;
  let dir = 0;
  let seat = 0;
  let matchId = "";
  socket.on("match:found", (found) => {
    seat = found.seat;
    socket.emit("match:ready", { matchId: found.matchId }, (answer) => {
      if (!answer.ok) errors++;
    });
  });
  socket.on("match:start", (start) => {
    matchId = start.matchId;
    started++;
  });
  socket.on("state", (payload, ack) => {
    states++;
    ack({ tick: payload.tick });
    const next = pongDirection(payload.state as PongView, seat as 0 | 1);
    if (next !== dir) {
      dir = next;
      inputs++;
      socket.emit("game:input", { matchId, seq: ++seq, input: { dir } }, (answer) => {
        if (!answer.ok) errors++;
      });
    }
  });
  socket.on("match:end", () => {
    ended++;
    socket.emit("queue:join", {}, () => undefined);
  });
  socket.emit("queue:join", {}, (answer) => {
    if (!answer.ok) errors++;
  });
}
const readyBy = performance.now() + 30_000;
while (started < PLAYERS && performance.now() < readyBy) await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write(JSON.stringify({ phase: "playing", started }) + "\n");
const cpuStart = process.cpuUsage();
const statesAtStart = states;
const t0 = performance.now();
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  JSON.stringify({
    phase: "done",
    players: PLAYERS,
    started,
    ended,
    errors,
    inputs,
    statesPerSecond: Math.round((states - statesAtStart) / elapsed),
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100),
  }) + "\n",
);
for (const socket of sockets) socket.close();
process.exit(0);
