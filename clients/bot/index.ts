export { runBots, type BotOptions, type BotRun } from "./bots.ts";
export { pongDirection, tictactoeCell } from "./strategies.ts";
