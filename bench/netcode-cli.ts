import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { writeBrowserBundle } from "../clients/browser/build.ts";
import { BUILTIN_GAMES } from "../game-rooms/games/builtin.ts";
import { builtinGames } from "../game-rooms/games/load-games.ts";
import { FaultProxy, spawnNode } from "../harness/index.ts";
import { ballContinuity, inputDelays, quantile } from "./netcode/analyse.ts";
import { runDesync } from "./netcode/desync.ts";
import { runPongPage } from "./netcode/pong-page.ts";

/**
 * `npm run bench:netcode`: the browser page plays pong through a proxy that shapes the network
 * (default: 40-60 ms each way, so about 100 ms RTT with 20 ms of jitter, and 1% of chunks held
 * 200 ms more, with what follows them), with prediction on and then off, in one run. Reports the
 * frames from a key press to the own paddle moving, and the drawn ball's worst frame-to-frame jump
 * against its true travel. Writes report.json to --out.
 */
const { values } = parseArgs({
  options: {
    presses: { type: "string", default: "20" },
    latency: { type: "string", default: "40" },
    jitter: { type: "string", default: "20" },
    "spike-chance": { type: "string", default: "0.01" },
    "spike-ms": { type: "string", default: "200" },
    out: { type: "string", default: "bench-out/netcode" },
  },
});
const shape = {
  latencyMs: Number(values.latency),
  jitterMs: Number(values.jitter),
  spikeChance: Number(values["spike-chance"]),
  spikeMs: Number(values["spike-ms"]),
};

/** CPU ticks (1/100 s) a process used, and the machine's busy ticks: how the two cores were shared. */
const processTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
};
const machineTicks = () => {
  const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!, all: f.reduce((a, b) => a + b, 0) };
};

const pageDir = await mkdtemp(join(tmpdir(), "arena-netcode-page-"));
await writeBrowserBundle(
  pageDir,
  builtinGames(BUILTIN_GAMES.map((g) => g.name)).map((g) => ({ name: g.definition.name, ...g })),
);
const node = await spawnNode({ PAGE_DIR: pageDir, PONG_POINTS: "1000", ENGINE: "uws" }, { keepLogs: false });
const proxy = await FaultProxy.start({ host: "127.0.0.1", port: node.port });
proxy.shape(shape);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
const runs = [];
let desync: Awaited<ReturnType<typeof runDesync>> | undefined;
try {
  for (const predict of [true, false]) {
    const cpu0 = { node: processTicks(node.process.pid!), self: processTicks(process.pid), machine: machineTicks() };
    const run = await runPongPage({ browser, pageUrl: proxy.url("http"), directUrl: node.url, predict, presses: Number(values.presses) });
    const cpu1 = { node: processTicks(node.process.pid!), self: processTicks(process.pid), machine: machineTicks() };
    const wall = cpu1.machine.all - cpu0.machine.all; // ticks of both cores together
    const share = (ticks: number) => Math.round((ticks / wall) * 200);
    const delays = inputDelays(run.frames, run.presses, run.seat);
    const ball = ballContinuity(run.frames, run.truth, run.tickRate);
    runs.push({
      prediction: predict ? "on" : "off",
      presses: run.presses.length,
      inputDelayFrames: { median: quantile(delays.frames, 0.5), p90: quantile(delays.frames, 0.9), max: Math.max(...delays.frames), missing: delays.missing },
      ball: { ...ball, worstRatio: +ball.worstRatio.toFixed(2) },
      framesDrawn: run.frames.length,
      frameIntervalMsMedian: +quantile(
        run.frames.slice(1).map((f, i) => f.at - run.frames[i]!.at),
        0.5,
      ).toFixed(1),
      overlay: run.overlay,
      netStats: run.netStats,
      // Percent of one core each, over the run (200 = both cores).
      cpuPercent: {
        server: share(cpu1.node - cpu0.node),
        harness: share(cpu1.self - cpu0.self),
        chromiumAndRest: share(cpu1.machine.busy - cpu0.machine.busy - (cpu1.node - cpu0.node) - (cpu1.self - cpu0.self)),
      },
    });
    process.stdout.write(`${JSON.stringify(runs[runs.length - 1])}\n`);
  }
  // A forced desync on a node with a small event budget (the refused input's answer comes back through the proxy).
  const strict = await spawnNode({ PONG_POINTS: "1000", ENGINE: "uws", RATE_LIMIT_PER_SECOND: "15", RATE_LIMIT_BURST: "15" }, { keepLogs: false });
  const strictProxy = await FaultProxy.start({ host: "127.0.0.1", port: strict.port });
  strictProxy.shape(shape);
  try {
    desync = await runDesync({ url: strictProxy.url("http"), directUrl: strict.url });
    process.stdout.write(`${JSON.stringify({ desync })}\n`);
  } finally {
    await strictProxy.close();
    await strict.kill();
  }
} finally {
  await browser.close();
  await proxy.close();
  await node.kill();
}
await mkdir(values.out!, { recursive: true });
await writeFile(join(values.out!, "report.json"), `${JSON.stringify({ shape, runs, desync }, null, 2)}\n`);
