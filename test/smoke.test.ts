import { afterAll, describe, expect, it } from "vitest";
import { loadUws } from "../server/index.ts";
import { closeAllClients, guest } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { spawnNode, type ChildNode } from "./support/servers.ts";

/**
 * The smoke suite: `.ci/run` runs it (with `compiled-build.test.ts`) on Node 22 and 24 as well as
 * on the machine's Node, each a real node process: it starts, mints a guest token, and plays a pong
 * match to its end on every engine this Node can run. Where no uWebSockets.js build fits (Node 22 or
 * 24 on a glibc older than 2.38), a node on the default engine runs on ws and says why.
 */
describe(`smoke on Node ${process.versions.node}`, () => {
  const nodes: ChildNode[] = [];
  afterAll(async () => {
    closeAllClients();
    for (const node of nodes) await node.kill();
  });

  const uws = loadUws();
  const engines = uws.native ? (["uws", "ws"] as const) : (["ws"] as const);

  it.each(engines)(
    "on %s: starts, mints a guest token, and plays a pong match to its end",
    async (engine) => {
      const node = await spawnNode({ ENGINE: engine, PONG_POINTS: "1", PONG_BALL_SPEED: "3", PONG_TICK_RATE: "60" });
      nodes.push(node);
      const started = node.logs.find((e) => e.msg === (engine === "uws" ? "uWebSockets.js native binary loaded" : "using the ws engine"));
      expect(started).toBeDefined();
      expect((await guest(node.url, "Smoke")).token).toMatch(/^ey/);
      const match = await startMatch("pong", [node.url, node.url]);
      const [a, b] = await match.ends;
      expect(a.matchId).toBe(match.matchId);
      expect(a.reason).toBe("win");
      expect(b.winner).toBe(a.winner);
    },
    90_000,
  );

  it(`on the default engine: ${uws.native ? "uWebSockets.js" : "ws, with a warning that says why"}`, async () => {
    const node = await spawnNode({ ENGINE: "" });
    nodes.push(node);
    if (uws.native) {
      expect(node.logs.find((e) => e.msg === "uWebSockets.js native binary loaded")).toMatchObject({ build: uws.build });
    } else {
      const warning = node.logs.find((e) => e.level === 40 && String(e.msg).includes("running on the ws engine"));
      expect(warning?.msg).toContain(`Node ${process.versions.node}`);
      expect(warning?.tried).toEqual(expect.arrayContaining([expect.stringContaining("uws-glibc238")]));
    }
  }, 60_000);
});
