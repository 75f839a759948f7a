import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBots } from "../clients/bot/index.ts";
import { startServer, type InProcessServer } from "./support/servers.ts";

describe("npm run bot: every game's own bot plays it, by name", () => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: "ws", MATCHMAKER_INTERVAL_MS: "20" });
  });
  afterAll(() => node.stop());

  // Pong's bot follows the ball so well that its matches run long: the conformance suite plays it.
  for (const game of ["connect-four", "tictactoe"]) {
    it(`${game}: two bots queue, play matches to their end and queue again`, async () => {
      const run = await runBots({ url: node.url, game, count: 2, matches: 2 });
      await run.done;
      run.stop();
      expect(run.errors).toEqual([]);
      expect(run.finished).toBeGreaterThanOrEqual(2);
    }, 60_000);
  }
});
