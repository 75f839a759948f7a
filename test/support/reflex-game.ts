import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The source of "reflex", a game written the way a studio writes one outside this repository: it
 * imports only the package (`arena/game`) and zod. Both players wait for a signal at a random tick
 * and race to press; a press before it is a false start and loses. Hidden information: each seat
 * sees only its own press until the match is over; spectators see neither.
 */
export const REFLEX_SOURCE = `
import { ArenaError, ErrorCode, defineGame, nextRandom, setting, type GameRules, type Seat } from "arena/game";
import { z } from "zod";

interface State { rng: number; tick: number; signalTick: number; endTick: number; presses: [number | null, number | null]; falseStart: Seat | null }
interface View { signal: boolean; over: boolean; mine: number | null; theirs: number | null }
const settings = z.object({
  tickRate: setting.integer(20, 10, 120),
  signalMinS: setting.decimal(1, 0.1, 60),
  signalMaxS: setting.decimal(2, 0.1, 60),
});

function over(state: State): boolean {
  return state.falseStart !== null || state.tick >= state.endTick || (state.presses[0] !== null && state.presses[1] !== null);
}

export default defineGame({
  name: "reflex",
  settings: { prefix: "REFLEX", schema: settings },
  create: (s): GameRules<State, { press: true }, View> => ({
    tickRate: s.tickRate,
    modes: ["ranked", "casual"],
    maxDurationS: Math.ceil(s.signalMaxS) + 10,
    kind: "realtime",
    viewPerSeat: true,
    inputSchema: z.object({ press: z.literal(true) }),
    wire: [{ name: "mine", scale: 1 }, { name: "theirs", scale: 1 }],
    init(seed) {
      const state: State = { rng: seed | 0, tick: 0, signalTick: 0, endTick: 0, presses: [null, null], falseStart: null };
      state.signalTick = Math.round((s.signalMinS + nextRandom(state) * (s.signalMaxS - s.signalMinS)) * s.tickRate);
      state.endTick = state.signalTick + 2 * s.tickRate;
      return state;
    },
    apply(state, seat, _input, tick) {
      if (over(state)) throw new ArenaError(ErrorCode.ILLEGAL_MOVE, "the race is over");
      if (state.presses[seat] !== null) return false;
      if (tick < state.signalTick) state.falseStart = seat;
      else state.presses[seat] = tick;
      return true;
    },
    step(state, tick) {
      state.tick = tick;
      return true;
    },
    outcome(state) {
      if (state.falseStart !== null) return { kind: "forfeit", seat: state.falseStart };
      if (!over(state)) return { kind: "none" };
      const [a, b] = state.presses;
      if (a === null && b === null) return { kind: "draw" };
      if (b === null || (a !== null && a < b)) return { kind: "win", seat: 0 };
      if (a === null || b < a) return { kind: "win", seat: 1 };
      return { kind: "draw" };
    },
    view(state, _clock, seat) {
      const done = over(state);
      const mine = seat === undefined ? null : state.presses[seat];
      const theirs = seat === undefined || !done ? null : state.presses[seat === 0 ? 1 : 0];
      return { signal: state.tick >= state.signalTick, over: done, mine, theirs };
    },
  }),
  bot: (view) => (view.signal && view.mine === null && !view.over ? { press: true } : undefined),
});
`;

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A studio's project outside the checkout: reflex in `reflex/index.ts`, and the packages it depends
 * on (this package as `arena`, and zod) in its own `node_modules`. `file` is what `GAMES` names.
 */
export async function writeReflexProject(): Promise<{ dir: string; file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "arena-studio-"));
  await mkdir(join(dir, "node_modules"));
  await symlink(ROOT, join(dir, "node_modules", "arena"));
  await symlink(join(ROOT, "node_modules", "zod"), join(dir, "node_modules", "zod"));
  await mkdir(join(dir, "reflex"));
  const file = join(dir, "reflex", "index.ts");
  await writeFile(file, REFLEX_SOURCE);
  return { dir, file, remove: () => rm(dir, { recursive: true, force: true }) };
}
