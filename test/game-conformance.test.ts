import { describe, expect, it } from "vitest";
import { BUILTIN_GAMES, checkGame, defineGame, type GameRules, type GameTypes } from "../game-rooms/index.ts";
import { z } from "zod";

describe("the game conformance suite", () => {
  for (const definition of BUILTIN_GAMES) {
    it(`${definition.name}: passes every check`, () => {
      // Short move clocks so that a forfeit ends a stuck match quickly; pong as configured.
      const settings = definition.name === "pong" ? {} : { moveSeconds: 1 };
      const failed = checkGame(definition, { settings }).filter((r) => r.problems.length);
      expect(failed).toEqual([]);
    }, 60_000);
  }

  it("catches a game that is not deterministic, one whose state is not plain JSON, and a bot that breaks the schema", () => {
    // A clock read inside the rules: replays and resumes cannot reproduce it.
    const clocked = defineGame({
      name: "clocked",
      create: (): GameRules<{ at: number; ticks: number; seen: Set<number> }, { n: number }, { at: number }> => ({
        tickRate: 10,
        modes: ["casual"],
        maxDurationS: 2,
        kind: "realtime",
        inputSchema: z.object({ n: z.number().int() }),
        init: () => ({ at: 0, ticks: 0, seen: new Set<number>() }),
        apply: (state, _seat, input) => void state.seen.add(input.n),
        step: (state) => {
          state.ticks++;
          state.at = performance.now();
          return true;
        },
        outcome: (state) => (state.ticks >= 15 ? { kind: "draw" } : { kind: "none" }),
        view: (state) => ({ at: state.at }),
      }),
      bot: () => ({ n: 1.5 }),
    });
    const failed = new Map(checkGame(clocked).map((r) => [r.check, r.problems]));
    const problems = [...failed.values()].flat().join("\n");
    expect(problems).toContain("fails the input schema");
    expect(problems).toContain("the replay's views differ");
  });

  it("catches a game that says its wire is complete while a changing part of its view is not on it", () => {
    // The counter is on the wire, the flag that turns on halfway is not: a compact client would never see it.
    const partial = defineGame({
      name: "partial",
      create: (): GameRules<{ n: number }, { go: true }, { n: number; late: boolean }> => ({
        tickRate: 10,
        modes: ["casual"],
        maxDurationS: 2,
        kind: "realtime",
        inputSchema: z.object({ go: z.literal(true) }),
        wire: [{ name: "n", scale: 1 }],
        init: () => ({ n: 0 }),
        apply: () => false,
        step: (state) => ((state.n += 1), true),
        outcome: (state) => (state.n >= 15 ? { kind: "draw" } : { kind: "none" }),
        view: (state) => ({ n: state.n, late: state.n > 7 }),
        netcode: { wireComplete: true },
      }),
      bot: () => undefined,
    });
    const failed = checkGame(partial).filter((r) => r.problems.length);
    expect(failed.map((r) => r.check)).toEqual(["a game whose wire is complete decodes every view from it"]);
    expect(failed[0]!.problems[0]).toContain('"late":false');
  });

  it("types flow from a game's rules to its bot and its clients (checked by tsc)", () => {
    const rules = (): GameRules<{ n: number }, { column: number }, { board: number[] }> => ({
      tickRate: 10,
      modes: ["ranked"],
      maxDurationS: 10,
      kind: "turns",
      inputSchema: z.object({ column: z.number() }),
      init: () => ({ n: 0 }),
      apply: () => undefined,
      step: () => false,
      outcome: () => ({ kind: "none" }),
      view: (state) => ({ board: [state.n] }),
    });
    const typed = defineGame({ name: "typed", create: rules, bot: (view) => ({ column: view.board.length }) });
    // @ts-expect-error: the bot's input must be the rules' input
    defineGame({ name: "mistyped", create: rules, bot: () => ({ cell: 1 }) });
    const types: GameTypes<typeof typed> = { input: { column: 1 }, view: { board: [] } };
    // @ts-expect-error: and a client's input is typed the same
    const wrong: GameTypes<typeof typed>["input"] = { cell: 1 };
    expect([types.input.column, wrong]).toBeDefined();
  });
});
