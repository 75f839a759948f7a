import { describe, expect, it } from "vitest";
import { runChaos } from "../bench/chaos/chaos.ts";

describe("chaos (the 60-second form of npm run chaos)", () => {
  it("bots play on 3 nodes while nodes are SIGKILLed and restarted and Redis connections cut: no invariant breaks", async () => {
    const lines: string[] = [];
    const report = await runChaos({ nodes: 3, players: 60, durationMs: 60_000, say: (line) => lines.push(line) });
    expect(report.violations, lines.join("\n")).toEqual([]);
    // The run did what it claims.
    expect(report.kills).toBeGreaterThan(0);
    expect(report.cuts + report.scriptCuts).toBeGreaterThan(0);
    expect(report.matchesEnded).toBeGreaterThan(100);
    expect(report.checks).toBeGreaterThan(5);
  }, 150_000);
});
