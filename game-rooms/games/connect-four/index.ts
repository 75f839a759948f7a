import { defineGame } from "../define-game.ts";
import { connectFourBot } from "./bot.ts";
import { connectFourRules } from "./rules.ts";
import { connectFourSettings } from "./settings.ts";

export { connectFourColumn } from "./bot.ts";
export type { ConnectFourState } from "./rules.ts";
export type { ConnectFourInput, ConnectFourView } from "./schema.ts";
export type { ConnectFourSettings } from "./settings.ts";

/** Connect four: 7 by 6, gravity, turns with a move clock (PROTOCOL.md, Games). A plugin like any other. */
export default defineGame({
  name: "connect-four",
  settings: { prefix: "CONNECT_FOUR", schema: connectFourSettings },
  create: connectFourRules,
  bot: connectFourBot,
  renderer: new URL("./renderer.ts", import.meta.url).href,
  source: import.meta.url,
});
