import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GameInfo } from "../protocol/index.ts";
import { closeAllClients, eventually } from "./support/clients.ts";
import { startMatch } from "./support/players.ts";
import { startServer, type InProcessServer } from "./support/servers.ts";

type Board = { board: (0 | 1 | null)[]; turn: 0 | 1; moveDeadline: number };

/** Connect four as a client that knows only PROTOCOL.md plays it: raw Socket.IO events, the game found in GET /v1/games. */
describe("connect four over the wire, from its GET /v1/games description", () => {
  let node: InProcessServer;
  beforeAll(async () => {
    node = await startServer({ ENGINE: "ws", MATCHMAKER_INTERVAL_MS: "20" });
  });
  afterAll(async () => {
    closeAllClients();
    await node.stop();
  });

  it("discs fall to the lowest free row; a full or out-of-range column is ILLEGAL_MOVE, a move out of turn NOT_YOUR_TURN; four in a column wins", async () => {
    const games = (await (await fetch(`${node.url}/v1/games`)).json()) as GameInfo[];
    const info = games.find((g) => g.name === "connect-four")!;
    expect(info).toMatchObject({ namespace: "/connect-four", kind: "turns", seats: 2 });
    const match = await startMatch("connect-four", [node.url, node.url]);
    const [first, second] = match.seats;
    expect(match.starts[0].state).toMatchObject({ turn: 0 });
    expect((match.starts[0].state as Board).board).toEqual(Array(42).fill(null));
    let seq = 0;
    const move = (player: typeof first, column: unknown) => player.send("game:input", { matchId: match.matchId, seq: ++seq, input: { column } });
    const board = () => (first.state?.state as Board | undefined)?.board ?? [];

    expect(await move(second, 3)).toMatchObject({ ok: false, error: { code: "NOT_YOUR_TURN" } });
    expect(await move(first, 7)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(await move(first, "3")).toMatchObject({ ok: false, error: { code: "BAD_REQUEST" } });
    // Column 3 filled to the top by turns: the first disc lands in row 5 (cell 38), the last in row 0 (cell 3).
    for (let i = 0; i < 6; i++) expect(await move(i % 2 === 0 ? first : second, 3)).toMatchObject({ ok: true });
    await eventually(() => board()[3] !== null, 5000, "the column is full");
    expect([38, 31, 24, 17, 10, 3].map((cell) => board()[cell])).toEqual([0, 1, 0, 1, 0, 1]);
    expect(await move(first, 3)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    // Seat 0 stacks four in column 0 while seat 1 plays column 1.
    for (let i = 0; i < 3; i++) {
      expect(await move(first, 0)).toMatchObject({ ok: true });
      expect(await move(second, 1)).toMatchObject({ ok: true });
    }
    expect(await move(first, 0)).toMatchObject({ ok: true });
    const [end] = await match.ends;
    expect(end).toMatchObject({ matchId: match.matchId, reason: "win", winner: first.playerId });
  });
});
