/**
 * The netcode measurements of a recorded pong page (PROTOCOL.md v3 netcode; issue "SDK + netcode"):
 * how many drawn frames pass between a key press and the own paddle moving, and whether the drawn
 * ball ever jumps further in a frame than twice what it travels in that time.
 */

interface PongLikeView {
  ball: { x: number; y: number };
  paddles: [number, number];
  score: [number, number];
}

/** A frame the page drew (`?record`): its rAF time, the tick it showed (fractional), the view. */
export interface DrawnFrame {
  at: number;
  tick: number;
  view: PongLikeView;
  /** How far past the newest state it was extrapolated (ms; 0 or absent when interpolated). */
  extrapolatedMs?: number;
}

/** A key press: how many frames had been drawn when it came, and which way it moves the paddle. */
export interface KeyPress {
  frameIndex: number;
  dir: -1 | 1;
}

/** An authoritative state (another client's, every tick). */
export interface TruthState {
  tick: number;
  view: PongLikeView;
}

export interface InputDelays {
  /** Per press: frames drawn after the press before the one that shows the paddle moving (0: the first frame after it). */
  frames: number[];
  /** Presses whose movement never showed within 120 frames. */
  missing: number;
}

/** Frames from each key press until the own paddle (`seat`) is drawn moving its way. */
export function inputDelays(frames: readonly DrawnFrame[], presses: readonly KeyPress[], seat: 0 | 1): InputDelays {
  const delays: number[] = [];
  let missing = 0;
  for (const press of presses) {
    const before = frames[press.frameIndex - 1]?.view.paddles[seat];
    if (before === undefined) continue;
    let found = -1;
    for (let j = press.frameIndex; j < Math.min(frames.length, press.frameIndex + 120); j++) {
      if ((frames[j]!.view.paddles[seat] - before) * press.dir > 1e-6) {
        found = j;
        break;
      }
    }
    if (found < 0) missing++;
    else delays.push(found - press.frameIndex);
  }
  return { frames: delays, missing };
}

export interface BallContinuity {
  /** Frame pairs judged (neither near a bounce, a hit, a point, nor a tick the truth lacks). */
  judged: number;
  /** Pairs left out for a bounce, a hit or a point around them. */
  excluded: number;
  /** Pairs where the ball moved more than twice its per-frame travel. */
  jumps: number;
  /** The largest ratio of drawn movement to true travel in the frame's time. */
  worstRatio: number;
  /** Where it was: the frame, the ticks drawn before and at it, and the time between the two frames. */
  worst?: { frame: number; fromTick: number; toTick: number; ms: number };
}

/**
 * For each two consecutive frames: the drawn ball's movement against its true speed (from the
 * authoritative states around the drawn tick) times the time between the frames. Pairs within a
 * tick of a bounce, a paddle hit or a point are left out: the ball really turns or jumps there; so
 * is a pair after a frame extrapolated through one.
 */
export function ballContinuity(frames: readonly DrawnFrame[], truth: readonly TruthState[], tickRate: number): BallContinuity {
  const byTick = new Map(truth.map((s) => [s.tick, s.view]));
  const velocity = (t: number) => {
    const a = byTick.get(t - 1);
    const b = byTick.get(t);
    return a && b ? { x: b.ball.x - a.ball.x, y: b.ball.y - a.ball.y, point: a.score[0] !== b.score[0] || a.score[1] !== b.score[1] } : undefined;
  };
  const turning = (t: number) => {
    const v = velocity(t);
    const u = velocity(t - 1);
    if (!v || !u) return true;
    return v.point || u.point || Math.sign(v.x) !== Math.sign(u.x) || Math.sign(v.y) !== Math.sign(u.y);
  };
  let judged = 0;
  let excluded = 0;
  let jumps = 0;
  let worstRatio = 0;
  let worst: BallContinuity["worst"];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!;
    const b = frames[i]!;
    // A frame extrapolated past the newest state may have run through a bounce the states had not
    // shown yet: the next frame puts the ball where it really went. That is a real bounce too.
    const blind = Math.ceil(((a.extrapolatedMs ?? 0) * tickRate) / 1000);
    let near = false;
    for (let t = Math.floor(Math.min(a.tick, b.tick)) - 1 - blind; t <= Math.ceil(Math.max(a.tick, b.tick)) + 2 && !near; t++) near = turning(t);
    if (near) {
      excluded++;
      continue;
    }
    const v = velocity(Math.ceil(b.tick))!;
    const travel = Math.hypot(v.x, v.y) * tickRate * ((b.at - a.at) / 1000);
    if (travel <= 0) continue;
    const ratio = Math.hypot(b.view.ball.x - a.view.ball.x, b.view.ball.y - a.view.ball.y) / travel;
    judged++;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { frame: i, fromTick: +a.tick.toFixed(2), toTick: +b.tick.toFixed(2), ms: +(b.at - a.at).toFixed(1) };
    }
    if (ratio > 2) jumps++;
  }
  return { judged, excluded, jumps, worstRatio, ...(worst ? { worst } : {}) };
}

/** The value at quantile q (0..1) of `values`. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
