import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

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
  ])("%j is bad usage: exit 2 and one line saying why, no stack trace", (args, why) => {
    const result = bench(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`bench: ${why}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
