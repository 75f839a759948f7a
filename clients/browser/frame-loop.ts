import type { ArenaClient } from "../sdk/index.ts";
import type { GameStage } from "./game-stage.ts";

/** A drawn frame, kept with `?record` (for the netcode measurements): when, which tick, what. */
export interface RecordedFrame {
  at: number;
  tick: number;
  view: unknown;
  /** How far past the newest state it was extrapolated (ms). */
  extrapolatedMs: number;
}

/**
 * Draws the playing match once per animation frame from `client.frame()` (remote things
 * interpolated, the own part predicted), and shows the netcode's numbers under it with `?debug`
 * (the backquote key toggles them). A view that did not change (a turn game between states) is not
 * drawn again.
 */
export class FrameLoop {
  private client: ArenaClient | undefined;
  private handle: number | undefined;
  /** The last drawn view, as JSON. */
  private drawn: string | undefined;
  private debugAt = 0;
  /** Every drawn frame, with `?record`. */
  readonly recorded: RecordedFrame[] = [];

  constructor(
    private readonly stage: GameStage,
    private readonly overlay: HTMLElement,
    private debug: boolean,
    private readonly record: boolean,
  ) {
    overlay.hidden = !debug;
    addEventListener("keydown", (event) => {
      if (event.code !== "Backquote" || document.activeElement instanceof HTMLInputElement) return;
      this.debug = !this.debug;
      overlay.hidden = !this.debug;
    });
    if (record) (globalThis as { arenaFrames?: RecordedFrame[] }).arenaFrames = this.recorded;
  }

  play(client: ArenaClient): void {
    this.client = client;
    this.drawn = undefined;
    if (this.handle === undefined) this.handle = requestAnimationFrame(this.draw);
  }

  stop(): void {
    if (this.handle !== undefined) cancelAnimationFrame(this.handle);
    this.handle = undefined;
    this.client = undefined;
  }

  private readonly draw = (now: number): void => {
    this.handle = requestAnimationFrame(this.draw);
    const frame = this.client?.frame(undefined, now);
    if (!frame) return;
    // Drawn again only when it changed: a view between two equal states (a form, a board) is left alone.
    const json = JSON.stringify(frame.view);
    if (json === this.drawn) return;
    this.drawn = json;
    this.stage.draw(frame.view);
    if (this.record) {
      const stats = this.client?.netStats();
      this.recorded.push({ at: now, tick: frame.tick, view: frame.view, extrapolatedMs: stats?.extrapolatedMs ?? 0 });
      (globalThis as { arenaNetStats?: unknown }).arenaNetStats = stats;
    }
    if (this.debug && now - this.debugAt > 250) {
      this.debugAt = now;
      this.showStats();
    }
  };

  private showStats(): void {
    const s = this.client?.netStats();
    if (!s) return;
    const ms = (v: number | undefined) => (v === undefined ? "–" : `${Math.round(v)} ms`);
    this.overlay.textContent = [
      `RTT ${ms(s.rttMs)}`,
      `clock ${s.clockOffsetMs >= 0 ? "+" : ""}${ms(s.clockOffsetMs)}`,
      `delay ${ms(s.delayMs)} (buffer ${ms(s.bufferMs)})`,
      `prediction ${s.predicted ? "on" : "off"}`,
      `corrections ${s.correctionsPerSecond}/s`,
      `drift ${s.drift.toFixed(3)}`,
      s.extrapolatedMs > 0 ? `extrapolating ${ms(s.extrapolatedMs)}` : "",
    ]
      .filter(Boolean)
      .join(" · ");
  }
}
