export { runBots, type BotOptions, type BotRun } from "./bots.ts";
