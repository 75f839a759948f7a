import type { Seat } from "../../../protocol/index.ts";
import type { GameRules } from "../game-module.ts";
import { nextRandom } from "../rng.ts";
import { wireList } from "../wire.ts";
import { pongInputSchema, pongViewSchema, type PongInput, type PongView } from "./schema.ts";
import type { PongSettings } from "./settings.ts";

/**
 * Flat numbers, mutated in place: nested `{ x, y }` objects share V8's hidden class with the view
 * schema's `{ x: z.number(), ... }` shape, whose fields hold objects, so every write of a double to
 * them allocated a number that lived until the next tick (survivors that lengthen each scavenge).
 */
export interface PongState {
  ballX: number;
  ballY: number;
  vx: number;
  vy: number;
  paddles: [number, number];
  dirs: [number, number];
  score: [number, number];
  rng: number;
  /** The seat the next serve goes towards. */
  serveTo: Seat;
}

export const PADDLE_HEIGHT = 0.2;
export const PADDLE_SPEED = 1.2;
const PADDLE_X = 0.02;
const BALL_RADIUS = 0.015;
const MAX_SPEED_FACTOR = 2.5;

/** Pong's three inputs, frozen: queued inputs share them. */
const DIRECTIONS: readonly PongInput[] = [Object.freeze({ dir: -1 }), Object.freeze({ dir: 0 }), Object.freeze({ dir: 1 })];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Pong (PROTOCOL.md, Games): field 1.0 by 1.0, seat 0 defends x = 0, first to `points`. */
export function pongRules(settings: PongSettings): GameRules<PongState, PongInput, PongView> {
  const { tickRate, points: pointsToWin, ballSpeed, maxDurationS } = settings;
  const dt = 1 / tickRate;

  function serve(state: PongState): void {
    const angle = (nextRandom(state) - 0.5) * (Math.PI / 2);
    const towards = state.serveTo === 0 ? -1 : 1;
    state.ballX = 0.5;
    state.ballY = 0.5;
    state.vx = towards * ballSpeed * Math.cos(angle);
    state.vy = ballSpeed * Math.sin(angle);
    state.serveTo = state.serveTo === 0 ? 1 : 0;
  }

  function hit(state: PongState, seat: Seat): void {
    const offset = clamp((state.ballY - state.paddles[seat]) / (PADDLE_HEIGHT / 2), -1, 1);
    const speed = Math.min(Math.hypot(state.vx, state.vy) * 1.05, ballSpeed * MAX_SPEED_FACTOR);
    const angle = offset * (Math.PI / 3);
    state.vx = (seat === 0 ? 1 : -1) * speed * Math.cos(angle);
    state.vy = speed * Math.sin(angle);
    state.ballX = seat === 0 ? PADDLE_X + BALL_RADIUS : 1 - PADDLE_X - BALL_RADIUS;
  }

  return {
    tickRate,
    modes: ["ranked", "casual"],
    maxDurationS,
    kind: "realtime",
    inputSchema: pongInputSchema,
    viewSchema: pongViewSchema,
    // A thousandth of the field is finer than any screen draws it; scores are whole numbers.
    wire: [{ name: "ball.x", scale: 1000 }, { name: "ball.y", scale: 1000 }, ...wireList("paddles", 2, 1000), ...wireList("score", 2)],
    readInput(raw) {
      if (typeof raw !== "object" || raw === null) return undefined;
      const dir = (raw as { dir?: unknown }).dir;
      if (dir !== -1 && dir !== 0 && dir !== 1) return undefined;
      // One object per direction, shared: an input waits for its tick without an object of its own
      // (-0, which the schema lets through as it is, keeps its own).
      return Object.is(dir, -0) ? { dir } : DIRECTIONS[dir + 1];
    },
    init(seed) {
      const state: PongState = {
        ballX: 0.5,
        ballY: 0.5,
        vx: 0,
        vy: 0,
        paddles: [0.5, 0.5],
        dirs: [0, 0],
        score: [0, 0],
        rng: seed | 0,
        serveTo: seed % 2 === 0 ? 0 : 1,
      };
      serve(state);
      return state;
    },
    revive(saved) {
      // A snapshot from before the state was flat holds `ball` and `velocity` as `{ x, y }`.
      const old = saved as PongState & { ball?: { x: number; y: number }; velocity?: { x: number; y: number } };
      const state: PongState = {
        ballX: old.ball ? old.ball.x : old.ballX,
        ballY: old.ball ? old.ball.y : old.ballY,
        vx: old.velocity ? old.velocity.x : old.vx,
        vy: old.velocity ? old.velocity.y : old.vy,
        paddles: [old.paddles[0], old.paddles[1]],
        dirs: [old.dirs[0], old.dirs[1]],
        score: [old.score[0], old.score[1]],
        rng: old.rng,
        serveTo: old.serveTo,
      };
      return state;
    },
    apply(state, seat, input) {
      if (state.dirs[seat] === input.dir) return false;
      state.dirs[seat] = input.dir;
      return true;
    },
    step(state) {
      for (const seat of [0, 1] as const) {
        state.paddles[seat] = clamp(state.paddles[seat] + state.dirs[seat] * PADDLE_SPEED * dt, PADDLE_HEIGHT / 2, 1 - PADDLE_HEIGHT / 2);
      }
      state.ballX += state.vx * dt;
      state.ballY += state.vy * dt;
      if (state.ballY < BALL_RADIUS) {
        state.ballY = 2 * BALL_RADIUS - state.ballY;
        state.vy = Math.abs(state.vy);
      } else if (state.ballY > 1 - BALL_RADIUS) {
        state.ballY = 2 * (1 - BALL_RADIUS) - state.ballY;
        state.vy = -Math.abs(state.vy);
      }
      const reach = PADDLE_HEIGHT / 2 + BALL_RADIUS;
      if (state.vx < 0 && state.ballX <= PADDLE_X + BALL_RADIUS) {
        if (Math.abs(state.ballY - state.paddles[0]) <= reach) hit(state, 0);
        else if (state.ballX < 0) {
          state.score[1] += 1;
          serve(state);
        }
      } else if (state.vx > 0 && state.ballX >= 1 - PADDLE_X - BALL_RADIUS) {
        if (Math.abs(state.ballY - state.paddles[1]) <= reach) hit(state, 1);
        else if (state.ballX > 1) {
          state.score[0] += 1;
          serve(state);
        }
      }
      return true;
    },
    timeUp(state) {
      if (state.score[0] === state.score[1]) return { kind: "draw" };
      return { kind: "win", seat: state.score[0] > state.score[1] ? 0 : 1 };
    },
    outcome(state) {
      if (state.score[0] >= pointsToWin) return { kind: "win", seat: 0 };
      if (state.score[1] >= pointsToWin) return { kind: "win", seat: 1 };
      return { kind: "none" };
    },
    view(state) {
      return { ball: { x: state.ballX, y: state.ballY }, paddles: [state.paddles[0], state.paddles[1]], score: [state.score[0], state.score[1]] };
    },
    netcode: {
      wireComplete: true,
      // The view shows every position; a paddle's direction is what its last input set. The ball is
      // not predicted (its velocity is not in the view): only the own paddle is shown predicted.
      fromView: (view, seat, last) => {
        const dirs: [number, number] = [0, 0];
        dirs[seat] = last?.dir ?? 0;
        return {
          ballX: view.ball.x,
          ballY: view.ball.y,
          vx: 0,
          vy: 0,
          paddles: [view.paddles[0], view.paddles[1]],
          dirs,
          score: [view.score[0], view.score[1]],
          rng: 0,
          serveTo: 0,
        };
      },
      own: (shown, predicted, seat) => {
        const paddles: [number, number] = [shown.paddles[0], shown.paddles[1]];
        paddles[seat] = predicted.paddles[seat];
        return { ...shown, paddles };
      },
      interpolate: (a, b, t) => {
        // A point serves the ball from the middle: drawn there at once, never slid across the field.
        if (b.score[0] !== a.score[0] || b.score[1] !== a.score[1]) return t < 1 ? a : b;
        const lerp = (x: number, y: number) => x + (y - x) * t;
        return {
          ball: { x: lerp(a.ball.x, b.ball.x), y: lerp(a.ball.y, b.ball.y) },
          paddles: [lerp(a.paddles[0], b.paddles[0]), lerp(a.paddles[1], b.paddles[1])],
          score: b.score,
        };
      },
    },
  };
}
