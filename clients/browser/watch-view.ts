import { fetchHistory, fetchLeaderboard, fetchLiveMatches, fetchReplay, type ArenaClient } from "../sdk/index.ts";
import type { GameInfo, LiveMatch, Replay } from "../../protocol/index.ts";
import type { AnyGame } from "../../game-rooms/games/game-module.ts";
import { instantiate } from "../../game-rooms/games/instantiate.ts";
import { replayMatch } from "../../game-rooms/games/replay.ts";
import { loadGameScript } from "./game-stage.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** The game's rules as the server ran them (the replay carries its settings), from the game's browser module. */
async function rulesOf(info: GameInfo | undefined, replay: Replay): Promise<AnyGame | undefined> {
  const definition = info ? (await loadGameScript(info)).game : undefined;
  if (!definition) return undefined;
  try {
    return instantiate(definition, {}, replay.rules ?? {});
  } catch {
    return undefined;
  }
}

const cell = (text: string) => Object.assign(document.createElement("td"), { textContent: text });

/**
 * Watching from the lobby screen: the matches live now (each with a watch button), the player's
 * last matches (each with its replay), the leaderboard, the spectator view, and a replay viewer that
 * computes every state with the game's own rules, at 1x, 2x or 4x, with a scrubber.
 */
export class WatchView {
  private watching: string | undefined;
  private frames: { tick: number; view: unknown }[] = [];
  private frame = 0;
  private player: number | undefined;
  private tickRate = 30;

  constructor(
    private readonly client: ArenaClient,
    private readonly me: string,
    private readonly game: string,
    /** The game as `GET /v1/games` describes it. */
    private readonly info: GameInfo | undefined,
    /** Draws a state of the game in the match area; `show` switches the page to a screen. */
    private readonly ui: { render(state: unknown): void; showWatch(title: string): void; back(): void },
  ) {
    client.on("state", (payload) => {
      if (payload.matchId === this.watching) ui.render(payload.state);
    });
    client.on("end", (end) => {
      if (end.matchId !== this.watching) return;
      $("watch-note").textContent = `Match over: ${end.reason}`;
      this.watching = undefined;
    });
    $("watch-stop").onclick = () => this.stop();
    $("replay-play").onclick = () => this.togglePlay();
    $("replay-scrub").oninput = () => this.seek(Number(($("replay-scrub") as HTMLInputElement).value));
  }

  /** Reads the live matches, the player's history and the leaderboard. */
  async refresh(): Promise<void> {
    const quiet = <T>(promise: Promise<T>) => promise.catch(() => undefined);
    const [live, history, board] = await Promise.all([
      quiet(fetchLiveMatches(location.origin, this.game, 20)),
      quiet(fetchHistory(location.origin, this.me, this.game)),
      quiet(fetchLeaderboard(location.origin, this.game, { limit: 10 })),
    ]);
    $("live").replaceChildren(
      ...(live ?? []).map((m) => {
        const item = document.createElement("li");
        item.textContent = `${m.players.map((p) => `${p.name} (${p.rating})`).join(" vs ")} · ${m.spectators} watching `;
        const watch = Object.assign(document.createElement("button"), { textContent: "Watch", className: "secondary watch" });
        watch.onclick = () => void this.spectate(m);
        item.append(watch);
        return item;
      }),
    );
    $("history").replaceChildren(
      ...(history ?? []).map((h) => {
        const row = document.createElement("tr");
        const replay = Object.assign(document.createElement("button"), { textContent: "Replay", className: "secondary replay" });
        replay.onclick = () => void this.replay(h.matchId);
        const actions = document.createElement("td");
        actions.append(replay);
        row.append(cell(h.opponent.name), cell(h.result), cell(String(h.ratingAfter)), actions);
        return row;
      }),
    );
    $("leaderboard").replaceChildren(
      ...(board ?? []).map((r) => {
        const row = document.createElement("tr");
        row.append(cell(String(r.rank)), cell(r.name), cell(String(r.rating)), cell(String(r.matches)));
        return row;
      }),
    );
  }

  private async spectate(match: LiveMatch): Promise<void> {
    try {
      const answer = await this.client.spectate(match.matchId);
      this.watching = match.matchId;
      $("watch-note").textContent = "";
      $("replay-controls").hidden = true;
      this.ui.showWatch(`Watching ${answer.players.map((p) => p.name).join(" vs ")}`);
      this.ui.render(answer.state);
    } catch (error) {
      $("hall-note").textContent = (error as Error).message;
    }
  }

  private async replay(matchId: string): Promise<void> {
    const replay = await fetchReplay(location.origin, matchId).catch(() => undefined);
    if (!replay) {
      $("hall-note").textContent = "That replay is no longer kept.";
      return;
    }
    const rules = await rulesOf(this.info, replay);
    if (!rules) {
      $("hall-note").textContent = "This game's rules cannot run in the page: its replay cannot be played here.";
      return;
    }
    this.frames = [];
    replayMatch(rules, replay, (frame) => this.frames.push(frame));
    this.tickRate = replay.tickRate;
    const scrub = $("replay-scrub") as HTMLInputElement;
    scrub.max = String(Math.max(0, this.frames.length - 1));
    $("replay-controls").hidden = false;
    $("watch-note").textContent = `${replay.players.map((p) => p.name).join(" vs ")}: ${replay.end.reason}`;
    this.ui.showWatch("Replay");
    this.seek(0);
    this.togglePlay();
  }

  private seek(frame: number): void {
    this.frame = Math.max(0, Math.min(frame, this.frames.length - 1));
    ($("replay-scrub") as HTMLInputElement).value = String(this.frame);
    $("replay-tick").textContent = `tick ${this.frames[this.frame]?.tick ?? 0}`;
    const view = this.frames[this.frame]?.view;
    if (view !== undefined) this.ui.render(view);
  }

  private togglePlay(): void {
    if (this.player !== undefined) {
      window.clearInterval(this.player);
      this.player = undefined;
      $("replay-play").textContent = "Play";
      return;
    }
    $("replay-play").textContent = "Pause";
    this.player = window.setInterval(() => {
      const speed = Number(($("replay-speed") as HTMLSelectElement).value) || 1;
      if (this.frame >= this.frames.length - 1) return this.togglePlay();
      this.seek(this.frame + speed);
    }, 1000 / this.tickRate);
  }

  private stop(): void {
    if (this.player !== undefined) this.togglePlay();
    const matchId = this.watching;
    this.watching = undefined;
    if (matchId) this.client.unspectate(matchId).catch(() => undefined);
    this.ui.back();
  }
}
