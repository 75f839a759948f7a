import { resolve } from "node:path";
import { BUILTIN_GAMES } from "../../game-rooms/games/index.ts";
import { loadGames } from "../../game-rooms/games/load-games.ts";
import { BUNDLE_DIR, writeBrowserBundle } from "./build.ts";

// The page's build step (`npm run build:page`; `npm start` and `npm run build` run it): bundles the
// browser client and the browser module of each game into PAGE_DIR (default dist/browser/), which
// the server serves as files: the built-in games, and those `GAMES` names (paths from here).
const names = process.env.GAMES?.trim() ? process.env.GAMES.split(",").map((g) => g.trim()) : BUILTIN_GAMES.map((g) => g.name);
const games = (await loadGames([...new Set([...BUILTIN_GAMES.map((g) => g.name), ...names])], { env: process.env })).map((g) => ({
  name: g.definition.name,
  ...g,
}));
const dir = process.env.PAGE_DIR?.trim() ? resolve(process.env.PAGE_DIR) : BUNDLE_DIR;
const client = await writeBrowserBundle(dir, games);
process.stdout.write(`browser page built into ${dir} (${Math.round(client.js.length / 1024)} KB of script, ${games.length} games)\n`);
