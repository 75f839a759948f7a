/**
 * `npm run bot -- --url http://localhost:3000 --game pong|connect-four|./my-game/index.ts --count 20 [--matches 10] [--mode default] [--lobby]`
 * Spawns players that queue, ready, play and requeue, printing a line per finished match. With
 * `--lobby` they wait in the lobby instead, accept every challenge and every rematch offer.
 */
import { parseArgs } from "node:util";
import { BUILTIN_GAMES } from "../../game-rooms/games/index.ts";
import { runBots } from "./bots.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    game: { type: "string", default: BUILTIN_GAMES[0]!.name },
    count: { type: "string", default: "2" },
    matches: { type: "string", default: "0" },
    mode: { type: "string" },
    lobby: { type: "boolean", default: false },
  },
});
const count = Number(values.count);
const matches = Number(values.matches);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(matches) || matches < 0) {
  process.stderr.write("bot: --count must be a positive integer and --matches a whole number\n");
  process.exit(2);
}
const run = await runBots({
  url: values.url!,
  game: values.game!,
  count,
  matches,
  mode: values.mode,
  lobby: values.lobby,
  log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
});
process.on("SIGINT", () => {
  run.stop();
  process.exit(run.errors.length ? 1 : 0);
});
if (matches > 0) {
  await run.done;
  run.stop();
  process.stdout.write(`${run.finished} matches finished, ${run.errors.length} errors\n`);
  process.exit(run.errors.length ? 1 : 0);
}
