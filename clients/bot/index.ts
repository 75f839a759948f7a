export { runBots, type BotOptions, type BotRun } from "./bots.ts";
export { pongDirection, tictactoeCell, type PongSight } from "./strategies.ts";
