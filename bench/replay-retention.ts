/**
 * What finished matches' replays kept by the in-memory store cost the collector: the heap and a
 * full collection's pause with `count` replays held, as the store keeps them (one JSON string
 * each) against the same replays held as objects (how it kept them before), alternating in one
 * process, and with none (what the rest of the heap costs). A full collection marks every object
 * the heap holds; a string is one object.
 *   node --expose-gc --import tsx bench/replay-retention.ts [count] [inputs per replay]
 */
import { performance } from "node:perf_hooks";
import { memoryStore } from "../matchmaker/index.ts";
import type { MatchArchive } from "../matchmaker/index.ts";
import type { Replay } from "../protocol/index.ts";
import { percentile, round } from "./stats.ts";

const count = Number(process.argv[2] ?? 3000);
const inputs = Number(process.argv[3] ?? 200);
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error("run with node --expose-gc --import tsx");

// Pong's inputs are shared frozen objects (`readInput`): the replay's entries point at them.
const dirs = [-1, 0, 1].map((dir) => Object.freeze({ dir }));
const players = [0, 1].map((seat) => ({ playerId: `player-${seat}`, name: `P${seat}`, rating: 1200 }));

function replay(i: number): Replay {
  return {
    matchId: `match-${i}-0123456789abcdefghijklmnop`,
    game: "pong",
    mode: "casual",
    seed: i,
    tickRate: 30,
    players,
    inputs: Array.from({ length: inputs }, (_, k) => ({ tick: k * 3 + 1, seat: (k % 2) as 0 | 1, input: dirs[k % 3] })),
    end: { reason: "win", winner: "player-0", tick: inputs * 3 + 1 },
  };
}

function archive(i: number): MatchArchive {
  const entry = (seat: number) => ({
    matchId: `match-${i}`,
    mode: "casual",
    opponent: players[1 - seat]!,
    result: "win" as const,
    ratingAfter: 1200,
    endedAt: 0,
  });
  return { replay: replay(i), replayTtlMs: 3_600_000, ranked: false, players: players.map((p, seat) => ({ ...p, entry: entry(seat) })) };
}

/** What a pass holds, on a module object: a local that is never read again may be collected early. */
const kept: { held?: unknown } = {};

async function measure(kind: "none" | "store (strings)" | "objects") {
  if (kind === "none") kept.held = undefined;
  else if (kind === "objects") kept.held = Array.from({ length: count }, (_, i) => replay(i));
  else {
    const store = memoryStore({ replayBytes: Number.MAX_SAFE_INTEGER });
    for (let i = 0; i < count; i++) await store.archiveMatch("pong", archive(i));
    if (!(await store.replay("pong", "match-0-0123456789abcdefghijklmnop"))) throw new Error("the store dropped a replay: the figures would be wrong");
    kept.held = store;
  }
  collect!();
  collect!();
  const pauses: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = performance.now();
    collect!();
    pauses.push(performance.now() - start);
  }
  const heapMb = process.memoryUsage().heapUsed / 1048576;
  kept.held = undefined;
  collect!();
  return { kind, replays: count, inputs, fullCollectionMs: round(percentile(pauses, 50)!, 2), heapMb: round(heapMb, 1) };
}

const rows = [];
for (let pass = 0; pass < 2; pass++) for (const kind of ["none", "objects", "store (strings)"] as const) rows.push(await measure(kind));
console.table(rows);
