import { describe, expect, it } from "vitest";
import { rulesOf } from "./support/games.ts";

const samples: unknown[] = [
  { dir: -1 },
  { dir: 0 },
  { dir: 1 },
  { dir: 2 },
  { dir: "1" },
  { dir: 1.5 },
  { dir: null },
  {},
  null,
  undefined,
  1,
  "dir",
  [],
  { dir: 1, extra: true },
  { cell: 4 },
  { cell: -1 },
  { cell: 9 },
  { cell: 4.5 },
  { __proto__: { dir: 1 } },
  JSON.parse('{"__proto__":{"dir":1}}'),
  Object.create({ dir: 1 }),
  { dir: -0 },
];

describe("game input fast paths", () => {
  // Games with a hand-written input check; the others go through their schema alone.
  for (const game of [rulesOf("pong")]) {
    it(`${game.name}: readInput gives the schema's verdict and value on every sample`, () => {
      for (const sample of samples) {
        const parsed = game.inputSchema.safeParse(sample);
        const fast = game.readInput!(sample);
        expect({ sample, ok: fast !== undefined }).toEqual({ sample, ok: parsed.success });
        if (parsed.success) expect(fast).toEqual(parsed.data);
      }
    });
  }
});
