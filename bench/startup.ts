import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * `npm run bench:startup`: time from spawning a node to its "arena listening" line, compiled
 * (`node dist/server/main.js`, after `npm run build`) against the sources through tsx (`npm start`),
 * alternating, 5 runs each, in one run on this machine. Prints each time and the medians.
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNS = 5;

function measure(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_FORMAT: "json" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes("arena listening")) return;
      child.kill("SIGKILL");
      resolve(Math.round(performance.now() - t0));
    });
    child.on("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before listening`)));
  });
}

const compiled: number[] = [];
const sources: number[] = [];
for (let i = 0; i < RUNS; i++) {
  compiled.push(await measure(["--max-semi-space-size=64", "dist/server/main.js"]));
  sources.push(await measure(["--max-semi-space-size=64", "--import", "tsx", "server/main.ts"]));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
process.stdout.write(
  `${JSON.stringify({ compiledMs: compiled, sourcesMs: sources, medianCompiledMs: median(compiled), medianSourcesMs: median(sources), ratio: +(median(sources) / median(compiled)).toFixed(2) })}\n`,
);
