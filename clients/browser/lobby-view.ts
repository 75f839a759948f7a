import type { ArenaClient } from "../sdk/index.ts";
import type { Challenge, LobbyPlayer } from "../../protocol/index.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** Names and texts are other players' words: always set as text, never as markup. */
function line(log: string, text: string): void {
  const entry = document.createElement("div");
  entry.textContent = text;
  $(log).append(entry);
  $(log).scrollTop = 1e9;
}

/**
 * The lobby screen: who is online (page by page, refreshed while it shows) with a challenge and a
 * message button each, lobby chat, direct messages, incoming challenges, and private codes.
 */
export class LobbyView {
  private cursor: string | undefined;
  private timer: number | undefined;
  private challenge: Challenge | undefined;

  constructor(
    private readonly client: ArenaClient,
    private readonly me: string,
  ) {
    client.on("lobbyChat", (m) => line("lobby-log", `${m.name}: ${m.text}`));
    client.on("dm", (m) => {
      line("lobby-log", `(private) ${m.name}: ${m.text}`);
      ($("dm-to") as HTMLInputElement).value ||= m.from;
    });
    client.on("challenge", (c) => this.challenged(c));
    client.on("challengeDeclined", () => this.note("Your challenge was declined."));
    client.on("challengeExpired", () => this.note("Your challenge expired unanswered."));
    client.on("found", () => this.hideChallenge());
    $("lobby-form").onsubmit = (event) => this.send(event, "lobby-text", (text) => client.lobbyChat(text));
    $("dm-form").onsubmit = (event) => {
      const to = ($("dm-to") as HTMLInputElement).value.trim();
      this.send(event, "dm-text", async (text) => {
        await client.dm(to, text);
        line("lobby-log", `(to ${to}) ${text}`);
      });
    };
    $("online-more").onclick = () => void this.refresh(true);
    $("code-create").onclick = async () => {
      try {
        $("code-shown").textContent = `Your code: ${await client.createPrivate()} (10 minutes, for one friend)`;
      } catch (error) {
        this.note((error as Error).message);
      }
    };
    $("code-join-btn").onclick = () => {
      const code = ($("code-join") as HTMLInputElement).value;
      client.joinPrivate(code).catch((error: Error) => this.note(error.message));
    };
    $("challenge-accept").onclick = () => this.answer(true);
    $("challenge-decline").onclick = () => this.answer(false);
  }

  /** Shows the lobby and keeps its list fresh while it shows. */
  open(): void {
    $("hall").hidden = false;
    void this.refresh(false);
    if (this.timer === undefined) this.timer = window.setInterval(() => !$("hall").hidden && void this.refresh(false), 3000);
  }

  close(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  private async refresh(next: boolean): Promise<void> {
    const page = await this.client.lobby(next && this.cursor ? { cursor: this.cursor, limit: 20 } : { limit: 20 }).catch(() => undefined);
    if (!page) return;
    this.cursor = page.next;
    $("online-more").hidden = page.next === undefined;
    $("online-count").textContent = `${page.total} online`;
    $("online").replaceChildren(...page.players.map((p) => this.row(p)));
  }

  private row(player: LobbyPlayer): HTMLElement {
    const item = document.createElement("li");
    item.dataset.player = player.playerId;
    const name = document.createElement("span");
    name.textContent = `${player.name} · ${player.status}`;
    item.append(name);
    if (player.playerId === this.me) return item;
    const challenge = Object.assign(document.createElement("button"), { textContent: "Challenge", className: "secondary challenge" });
    challenge.disabled = player.status !== "idle";
    challenge.onclick = async () => {
      try {
        await this.client.challenge(player.playerId);
        this.note(`Challenge sent to ${player.name}.`);
      } catch (error) {
        this.note((error as Error).message);
      }
    };
    const message = Object.assign(document.createElement("button"), { textContent: "Message", className: "secondary" });
    message.onclick = () => {
      ($("dm-to") as HTMLInputElement).value = player.playerId;
      $("dm-text").focus();
    };
    item.append(" ", challenge, " ", message);
    return item;
  }

  private challenged(challenge: Challenge): void {
    this.challenge = challenge;
    $("challenge-text").textContent = `${challenge.name} (${challenge.rating}) challenges you to ${challenge.mode}.`;
    $("challenge-box").hidden = false;
  }

  private answer(accept: boolean): void {
    const challenge = this.challenge;
    this.hideChallenge();
    if (challenge) this.client.answerChallenge(challenge.challengeId, accept).catch((error: Error) => this.note(error.message));
  }

  private hideChallenge(): void {
    this.challenge = undefined;
    $("challenge-box").hidden = true;
  }

  private send(event: Event, input: string, send: (text: string) => Promise<void>): void {
    event.preventDefault();
    const field = $(input) as HTMLInputElement;
    if (field.value.trim()) send(field.value).catch((error: Error) => this.note(error.message));
    field.value = "";
  }

  private note(text: string): void {
    $("hall-note").textContent = text;
  }
}
