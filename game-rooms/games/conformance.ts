import { WireCodec, type ReplayInput, type Seat } from "../../protocol/index.ts";
import type { GameDefinition } from "./define-game.ts";
import type { AnyGame, Outcome } from "./game-module.ts";
import { instantiate, moduleProblems } from "./instantiate.ts";
import { replayMatch } from "./replay.ts";
import { nextRandom } from "./rng.ts";
import { INPUT_SEQ_FIELDS, wireValue } from "./wire.ts";

/** One check of the conformance suite and what it found (nothing: it passed). */
export interface ConformanceResult {
  check: string;
  problems: string[];
}

export interface ConformanceOptions {
  /** Seeds of the matches the bots play (default: three). */
  seeds?: number[];
  /** Settings to build the rules with (default: the game's defaults). */
  settings?: Record<string, unknown>;
  /** The most ticks a bot match may run (default: the game's `maxDurationS`, at most 100,000 ticks). */
  maxTicks?: number;
}

interface Played {
  seed: number;
  inputs: ReplayInput[];
  views: unknown[];
  outcome: Outcome;
  ticks: number;
  /** The state after half the ticks, as JSON (what a snapshot holds), and the inputs after it. */
  half?: { tick: number; json: string };
}

const SEATS: Seat[] = [0, 1];

/** The clock a replay runs on (tick 0 at time 0), so that views with deadlines compare equal. */
const clockOf = (game: AnyGame) => ({ epochOfTick: (tick: number) => (tick * 1000) / game.tickRate });

/** Two bots play one match from `seed`, as a room runs it: each tick, the inputs, then a step. */
function play(game: AnyGame, definition: GameDefinition, seed: number, maxTicks: number, problems: string[]): Played {
  const clock = clockOf(game);
  const state = game.init(seed);
  const random = { rng: seed ^ 0x5bd1e995 };
  const inputs: ReplayInput[] = [];
  const views: unknown[] = [];
  const halfway = Math.floor(maxTicks / 2);
  let half: Played["half"];
  let outcome: Outcome = { kind: "none" };
  let tick = 0;
  let seen = SEATS.map((seat) => game.view(state, clock, game.viewPerSeat ? seat : undefined));
  while (outcome.kind === "none" && tick < maxTicks) {
    tick++;
    for (const seat of SEATS) {
      const input = definition.bot?.(seen[seat], seat, () => nextRandom(random));
      if (input === undefined) continue;
      const parsed = game.inputSchema.safeParse(input);
      if (!parsed.success) {
        problems.push(`the bot's input ${JSON.stringify(input)} fails the input schema: ${parsed.error.issues[0]?.message}`);
        continue;
      }
      if (game.readInput && JSON.stringify(game.readInput(input)) !== JSON.stringify(parsed.data))
        problems.push(`readInput disagrees with the schema on ${JSON.stringify(input)}`);
      try {
        if (game.apply(state, seat, parsed.data, tick) !== false) inputs.push({ tick, seat, input: parsed.data });
      } catch {
        // A refused move changes nothing, in a replay as in the match.
      }
    }
    game.step(state, tick);
    seen = SEATS.map((seat) => game.view(state, clock, game.viewPerSeat ? seat : undefined));
    views.push(game.view(state, clock, game.viewPerSeat ? 0 : undefined));
    outcome = game.outcome(state);
    if (tick === halfway) half = { tick, json: JSON.stringify(state) };
  }
  return { seed, inputs, views, outcome, ticks: tick, ...(half ? { half } : {}) };
}

/** Every view parses with the view schema, survives JSON unchanged, and holds a number (or null) at every wire field. */
function checkViews(game: AnyGame, views: unknown[], problems: string[]): void {
  for (const view of views.slice(0, 2000)) {
    if (JSON.stringify(JSON.parse(JSON.stringify(view))) !== JSON.stringify(view)) problems.push("a view does not survive JSON unchanged");
    const parsed = game.viewSchema?.safeParse(view);
    if (parsed && !parsed.success) problems.push(`a view fails the view schema: ${parsed.error.issues[0]?.message}`);
    for (const field of game.wire ?? [])
      if (wireValue(view, field.name) === undefined) problems.push(`wire field ${field.name} is not a number or null in a view`);
    if (problems.length) return;
  }
}

/**
 * A game that says its wire rebuilds every view (`netcode.wireComplete`): each view, sent compact and
 * decoded on top of the first view (as a client holds it), is the view itself to the fields' scales.
 */
function checkWireComplete(game: AnyGame, views: unknown[], problems: string[]): void {
  if (!game.netcode?.wireComplete || views.length === 0) return;
  const codec = new WireCodec([...(game.wire ?? []), ...INPUT_SEQ_FIELDS]);
  const values = new Float64Array(codec.size);
  const complete = (view: unknown) => (game.netcode?.fromWire ? game.netcode.fromWire(view) : view);
  for (const view of views.slice(0, 2000)) {
    codec.read(view, [0, 0], values);
    const decoded = complete(codec.view(values, views[0]).state);
    const rounded = complete(codec.view(values, view).state);
    if (JSON.stringify(decoded) !== JSON.stringify(rounded)) {
      problems.push(`netcode.wireComplete: a view decoded from its wire fields differs (${JSON.stringify(decoded)} for ${JSON.stringify(rounded)})`);
      return;
    }
  }
}

/** From the halfway snapshot (the state through JSON, as another node resumes it), the same inputs give the same views. */
function checkResume(game: AnyGame, played: Played, problems: string[]): void {
  if (!played.half) return;
  const clock = clockOf(game);
  const saved = JSON.parse(played.half.json) as unknown;
  const state = game.revive ? game.revive(saved) : saved;
  const byTick = new Map<number, ReplayInput[]>();
  for (const input of played.inputs) byTick.set(input.tick, [...(byTick.get(input.tick) ?? []), input]);
  for (let tick = played.half.tick + 1; tick <= played.ticks; tick++) {
    for (const { seat, input } of byTick.get(tick) ?? []) game.apply(state, seat, input, tick);
    game.step(state, tick);
    const view = game.view(state, clock, game.viewPerSeat ? 0 : undefined);
    if (JSON.stringify(view) !== JSON.stringify(played.views[tick - 1])) {
      problems.push(`seed ${played.seed}: resumed from a snapshot at tick ${played.half.tick}, the view differs at tick ${tick}`);
      return;
    }
  }
}

/**
 * The game conformance suite: what every game must do to be served. Run it on your own game (from
 * a test, or `npx tsx`) and fix what it reports: bots play to an end, a replay reproduces every
 * view, a snapshot resumes to the same views, schemas and wire fields describe the views.
 */
export function checkGame(definition: GameDefinition, options: ConformanceOptions = {}): ConformanceResult[] {
  const results: ConformanceResult[] = [];
  const run = (check: string, body: (problems: string[]) => void) => {
    const problems: string[] = [];
    try {
      body(problems);
    } catch (error) {
      problems.push(`threw: ${(error as Error).message}`);
    }
    results.push({ check, problems });
  };
  let game: AnyGame | undefined;
  run("the module follows the rules (tick rate, modes, hooks, schemas, wire fields)", (problems) => {
    game = instantiate(definition, {}, options.settings ?? {});
    problems.push(...moduleProblems(game));
    if (!definition.bot) problems.push("no default bot");
  });
  if (!game) return results;
  const rules = game;
  const maxTicks = options.maxTicks ?? Math.min(100_000, Math.ceil(rules.maxDurationS * rules.tickRate));
  const matches: Played[] = [];
  run("two bots play a match to its end", (problems) => {
    for (const seed of options.seeds ?? [1, 2, 3]) {
      const played = play(rules, definition, seed, maxTicks, problems);
      if (played.outcome.kind === "none" && !rules.timeUp) problems.push(`seed ${seed}: no outcome after ${played.ticks} ticks`);
      matches.push(played);
    }
  });
  run("a replay (seed and logged inputs) reproduces every view and the outcome", (problems) => {
    for (const played of matches) {
      const replayed: unknown[] = [];
      const outcome = replayMatch(rules, { seed: played.seed, tickRate: rules.tickRate, inputs: played.inputs, end: { tick: played.ticks } }, ({ view }) =>
        replayed.push(view),
      );
      if (JSON.stringify(replayed.map((v) => JSON.stringify(v))) !== JSON.stringify(played.views.map((v) => JSON.stringify(v))))
        problems.push(`seed ${played.seed}: the replay's views differ`);
      if (JSON.stringify(outcome) !== JSON.stringify(played.outcome)) problems.push(`seed ${played.seed}: the replay's outcome differs`);
    }
  });
  run("a snapshot (the state through JSON) resumes to the same views", (problems) => {
    for (const played of matches) checkResume(rules, played, problems);
  });
  run("views match the view schema, survive JSON, and carry every wire field", (problems) => {
    for (const played of matches) checkViews(rules, played.views, problems);
  });
  run("a game whose wire is complete decodes every view from it", (problems) => {
    for (const played of matches) checkWireComplete(rules, played.views, problems);
  });
  run("each seat's view and a spectator's are computed", (problems) => {
    const state = rules.init(7);
    for (const seat of [0, 1, undefined] as const) if (rules.view(state, clockOf(rules), seat) === undefined) problems.push(`no view for seat ${seat}`);
  });
  return results;
}
