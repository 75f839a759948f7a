import type { GameInfo } from "../../protocol/index.ts";
import type { GameDefinition } from "../../game-rooms/games/define-game.ts";
import type { GameRenderer, MountedView, RendererContext } from "../../game-rooms/games/renderer.ts";
import { genericRenderer } from "./generic-view.ts";

/** A game's browser module (`GET /v1/games` `script`): its definition and renderer, either may be missing. */
export interface GameScript {
  game?: GameDefinition;
  renderer?: GameRenderer;
}

const scripts = new Map<string, Promise<GameScript>>();

/** Imports a module, trying again twice (after 0.5 s, then 1.5 s) when it fails: a loaded server may answer late or once in error. */
async function importWithRetries(url: string): Promise<GameScript> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await import(url)) as GameScript;
    } catch (error) {
      if (attempt === 2) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 3 ** attempt));
    }
  }
}

/**
 * Loads a game's browser module once; a game whose module does not load gets the generic view this
 * time, and the next mount tries again (a failure is never kept).
 */
export function loadGameScript(info: GameInfo): Promise<GameScript> {
  let script = scripts.get(info.name);
  if (!script) {
    const url = typeof info.script === "string" ? info.script : undefined;
    script = url
      ? importWithRetries(url).catch(() => {
          scripts.delete(info.name);
          return {};
        })
      : Promise.resolve({});
    scripts.set(info.name, script);
  }
  return script;
}

/**
 * The match area: mounts the game's renderer (or the generic view) for a match the page plays,
 * watches or replays, and draws each state. States that come before the renderer loaded are kept:
 * the last one is drawn once it has.
 */
export class GameStage {
  private view: MountedView<unknown> | undefined;
  private latest: unknown;
  private mounting = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly help: HTMLElement,
  ) {}

  /** Mounts the game for `context.seat` (undefined: only shown); resolves with how to name the seat. */
  async mount(info: GameInfo, context: RendererContext<unknown>): Promise<string> {
    this.unmount();
    const mounting = ++this.mounting;
    const renderer = (await loadGameScript(info)).renderer ?? genericRenderer(info);
    if (mounting !== this.mounting) return "";
    this.view = renderer.mount(this.root, context);
    this.help.textContent = context.seat === undefined ? "" : (renderer.help ?? "");
    if (this.latest !== undefined) this.view.draw(this.latest);
    return context.seat === undefined ? "" : (renderer.describeSeat?.(context.seat) ?? `You play seat ${context.seat}`);
  }

  draw(state: unknown): void {
    this.latest = state;
    this.view?.draw(state);
  }

  unmount(): void {
    this.mounting++;
    this.view?.destroy();
    this.view = undefined;
    this.latest = undefined;
    this.help.textContent = "";
  }
}
