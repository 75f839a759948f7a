import { connect, fetchGuestToken, type ArenaClient } from "../sdk/index.ts";
import type { GameInfo, MatchFound, Seat } from "../../protocol/index.ts";
import type { RendererContext } from "../../game-rooms/games/renderer.ts";
import { GameStage, loadGameScript } from "./game-stage.ts";
import { FrameLoop } from "./frame-loop.ts";
import { LobbyView } from "./lobby-view.ts";
import { WatchView } from "./watch-view.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const sections = ["lobby", "hall", "watchbar", "queue", "ready", "match", "chat", "result"] as const;
const show = (...visible: (typeof sections)[number][]) => sections.forEach((id) => ($(id).hidden = !visible.includes(id)));
const SESSION = "arena-session";

interface Session {
  token: string;
  playerId: string;
  name: string;
  game: string;
}

let client: ArenaClient | undefined;
let session: Session | undefined;
let found: MatchFound | undefined;
let queuedAt = 0;
let ticker: number | undefined;
let games: GameInfo[] = [];
const stage = new GameStage($("view"), $("help"));
// `?predict=off` draws the own paddle as the server's states show it (to compare); `?debug` shows the netcode's numbers.
const params = new URLSearchParams(location.search);
const frames = new FrameLoop(stage, $("netdebug"), params.has("debug"), params.has("record"));
let lobbyView: LobbyView | undefined;
let watchView: WatchView | undefined;
let lastMatch: string | undefined;

/** The lobby screen (who is online, chat, challenges, codes), kept fresh while it shows. */
function showHall(): void {
  stage.unmount();
  show("hall");
  lobbyView?.open();
  void watchView?.refresh();
}

/** What a game's renderer may do on this page, for the seat it plays (undefined: it only shows). */
function rendererContext(seat: Seat | undefined): RendererContext<unknown> {
  return {
    seat,
    send: (input) => void client?.input(input).catch((error: Error) => ($("turn").textContent = error.message)),
    sendFast: (input) => void client?.sendInput(input),
    status: (text) => ($("turn").textContent = text),
    now: () => client?.serverNow() ?? Date.now(),
  };
}

/** Mounts the session's game in the match area, for `seat` or only to show; resolves once it is drawn. */
async function mountGame(seat: Seat | undefined): Promise<void> {
  const info = games.find((g) => g.name === session?.game);
  $("you").textContent = "";
  $("turn").textContent = "";
  if (info) $("you").textContent = await stage.mount(info, rendererContext(seat));
}

/** The match area without the player's controls: a spectated match or a replay. */
function showWatch(title: string): void {
  $("watch-title").textContent = title;
  void mountGame(undefined);
  $("forfeit").hidden = true;
  show("watchbar", "match");
}

function setConnection(status: string, detail?: string): void {
  $("conn").dataset.status = status;
  $("conn-text").textContent = detail && status !== "connected" ? `${status} (${detail})` : status;
}

function startTicker(): void {
  stopTicker();
  ticker = window.setInterval(async () => {
    if (!$("queue").hidden) {
      $("waited").textContent = String(Math.floor((Date.now() - queuedAt) / 1000));
      const stats = await client?.stats().catch(() => undefined);
      if (stats) $("queued").textContent = String(stats.queued);
    }
    // Deadlines are on the server's clock, whatever this machine's says.
    if (!$("ready").hidden && found && client) $("countdown").textContent = String(Math.max(0, Math.ceil((found.readyBy - client.serverNow()) / 1000)));
  }, 1000);
}
function stopTicker(): void {
  if (ticker !== undefined) window.clearInterval(ticker);
}

async function queue(): Promise<void> {
  if (!client) return;
  $("lobby-error").textContent = "";
  try {
    await client.queue();
    queuedAt = Date.now();
    $("waited").textContent = "0";
    show("queue");
  } catch (error) {
    showHall();
    $("hall-note").textContent = (error as Error).message;
  }
}

function render(state: unknown): void {
  stage.draw(state);
}

function enterMatch(seat: Seat, state: unknown): void {
  $("forfeit").hidden = false;
  $("chat-log").replaceChildren();
  // The match shows once the game's renderer is mounted, with the player's seat named; the state
  // is drawn then (mounting starts at once, so this state is the one it keeps).
  const mounted = mountGame(seat);
  render(state);
  // From now on each animation frame draws the match: interpolated, the own part predicted.
  if (client) frames.play(client);
  void mounted.then(() => show("match", "chat"));
}

function addChat(line: string): void {
  const entry = document.createElement("div");
  entry.textContent = line;
  $("chat-log").append(entry);
  $("chat-log").scrollTop = 1e9;
}

function attach(c: ArenaClient): void {
  c.on("status", (status, detail) => setConnection(status, detail));
  c.on("rtt", (ms) => ($("rtt").textContent = String(ms)));
  c.on("latencies", (latencies) => {
    const shown = Object.entries(latencies)
      .sort(([, a], [, b]) => a - b)
      .map(([region, ms]) => `${region} ${ms} ms`);
    $("latencies").textContent = shown.length ? shown.join(", ") : "unmeasured";
  });
  c.on("found", (f) => {
    found = f;
    const opponent = f.players[f.seat === 0 ? 1 : 0]!;
    $("opponent").textContent = `${opponent.name} (${opponent.rating})`;
    ($("ready-btn") as HTMLButtonElement).disabled = false;
    show("ready");
  });
  c.on("cancelled", (cancelled) => {
    if (cancelled.requeued) {
      show("queue");
    } else {
      showHall();
      $("hall-note").textContent = cancelled.reason === "ready_timeout" ? "The ready check ran out." : "Your opponent left.";
    }
  });
  c.on("start", (start) => enterMatch(start.seat, start.state));
  c.on("resumed", (resumed) => enterMatch(resumed.seat, resumed.state));
  // The playing match is drawn by the frame loop; a watched one as its states come.
  c.on("state", (payload) => payload.matchId !== c.matchId && render(payload.state));
  c.on("chat", (message) => addChat(`${message.name}: ${message.text}`));
  c.on("end", (end) => {
    const me = session!.playerId;
    // The end of a match this player only watched is the spectator view's.
    if (end.ratings[me] === undefined) return;
    frames.stop();
    stage.unmount();
    const text =
      end.winner === null ? (end.reason === "draw" || end.reason === "time" ? "Draw" : `Match ${end.reason}`) : end.winner === me ? "You won" : "You lost";
    $("result-text").textContent = `${text} (${end.reason})`;
    $("result-rating").textContent = `Your rating: ${end.ratings[me] ?? "?"}`;
    lastMatch = end.matchId;
    $("rematch-note").textContent = "";
    ($("rematch") as HTMLButtonElement).disabled = false;
    show("result");
  });
  c.on("rematchOffered", (offer) => {
    if (offer.matchId === lastMatch) $("rematch-note").textContent = "Your opponent wants a rematch.";
  });
}

async function start(existing?: Session): Promise<void> {
  const name = ($("name") as HTMLInputElement).value.trim() || undefined;
  const game = ($("game") as HTMLSelectElement).value;
  try {
    if (!existing) {
      const guest = await fetchGuestToken(location.origin, name);
      existing = { token: guest.token, playerId: guest.playerId, name: guest.name, game };
      sessionStorage.setItem(SESSION, JSON.stringify(existing));
    }
    session = existing;
    client?.close();
    frames.stop();
    // With the game's definition (its browser module), the client predicts with the game's rules and takes compact states.
    const info = games.find((g) => g.name === session?.game);
    const definition = info ? (await loadGameScript(info)).game : undefined;
    client = connect({ url: location.origin, game: definition ?? session.game, token: session.token, netcode: { predict: params.get("predict") !== "off" } });
    lobbyView?.close();
    lobbyView = new LobbyView(client, session.playerId);
    watchView = new WatchView(
      client,
      session.playerId,
      session.game,
      games.find((g) => g.name === session?.game),
      { render, showWatch, back: showHall },
    );
    attach(client);
    await client.connected();
    startTicker();
  } catch (error) {
    $("lobby-error").textContent = (error as Error).message;
    sessionStorage.removeItem(SESSION);
    throw error;
  }
}

async function main(): Promise<void> {
  games = (await (await fetch("/v1/games")).json()) as GameInfo[];
  $("game").replaceChildren(...games.map((g) => Object.assign(document.createElement("option"), { value: g.name, textContent: g.name })));
  $("play").onclick = async () => {
    await start().catch(() => undefined);
    if (client?.status === "connected") await queue();
  };
  $("enter").onclick = async () => {
    await start().catch(() => undefined);
    if (client?.status === "connected") showHall();
  };
  $("queue-btn").onclick = () => void queue();
  window.setInterval(() => !$("hall").hidden && void watchView?.refresh(), 3000);
  $("back").onclick = () => showHall();
  $("rematch").onclick = async () => {
    if (!lastMatch) return;
    ($("rematch") as HTMLButtonElement).disabled = true;
    try {
      const waiting = await client!.rematch(lastMatch);
      $("rematch-note").textContent = waiting ? "Waiting for your opponent…" : "";
    } catch (error) {
      $("rematch-note").textContent = (error as Error).message;
    }
  };
  $("cancel").onclick = async () => {
    await client?.leave().catch(() => undefined);
    showHall();
  };
  $("ready-btn").onclick = async () => {
    ($("ready-btn") as HTMLButtonElement).disabled = true;
    await client?.ready(found?.matchId).catch((error: Error) => ($("lobby-error").textContent = error.message));
  };
  $("forfeit").onclick = () => void client?.forfeit().catch(() => undefined);
  $("again").onclick = () => void queue();
  $("chat-form").onsubmit = (event) => {
    event.preventDefault();
    const input = $("chat-text") as HTMLInputElement;
    if (input.value.trim()) void client?.chat(input.value).catch((error: Error) => addChat(`(${error.message})`));
    input.value = "";
  };
  // A reload mid-match keeps the identity of this tab: reconnecting resumes the seat.
  const saved = sessionStorage.getItem(SESSION);
  if (saved) {
    const previous = JSON.parse(saved) as Session;
    ($("name") as HTMLInputElement).value = previous.name;
    ($("game") as HTMLSelectElement).value = previous.game;
    await start(previous).catch(() => undefined);
  }
}

void main();
