import { defineGame } from "../define-game.ts";
import { pongBot } from "./bot.ts";
import { pongRules } from "./rules.ts";
import { pongSettings } from "./settings.ts";

export { pongDirection, type PongSight } from "./bot.ts";
export { PADDLE_HEIGHT, type PongState } from "./rules.ts";
export type { PongInput, PongView } from "./schema.ts";
export type { PongSettings } from "./settings.ts";

/** Pong: real time, 30 ticks a second (PROTOCOL.md, Games). */
export default defineGame({
  name: "pong",
  settings: { prefix: "PONG", schema: pongSettings },
  create: pongRules,
  bot: pongBot,
  renderer: new URL("./renderer.ts", import.meta.url).href,
  source: import.meta.url,
});
