import { defineGame } from "../define-game.ts";
import { tictactoeBot } from "./bot.ts";
import { tictactoeRules } from "./rules.ts";
import { tictactoeSettings } from "./settings.ts";

export { tictactoeCell } from "./bot.ts";
export { TICTACTOE_LINES, type TictactoeState } from "./rules.ts";
export type { TictactoeInput, TictactoeView } from "./schema.ts";
export type { TictactoeSettings } from "./settings.ts";

/** Tictactoe: turns, with a move clock (PROTOCOL.md, Games). */
export default defineGame({
  name: "tictactoe",
  settings: { prefix: "TICTACTOE", schema: tictactoeSettings },
  create: tictactoeRules,
  bot: tictactoeBot,
  renderer: new URL("./renderer.ts", import.meta.url).href,
  source: import.meta.url,
});
