import { BUILTIN_GAMES } from "../../game-rooms/games/index.ts";
import { loadGames } from "../../game-rooms/games/load-games.ts";
import { BUNDLE_DIR, writeBrowserBundle } from "./build.ts";

// `npm run build`: bundles the browser client and the browser module of each game into dist/browser/:
// the built-in games, and those `GAMES` names (so the compiled server serves them without esbuild).
const names = process.env.GAMES?.trim() ? process.env.GAMES.split(",").map((g) => g.trim()) : BUILTIN_GAMES.map((g) => g.name);
const games = (await loadGames([...new Set([...BUILTIN_GAMES.map((g) => g.name), ...names])], { env: process.env })).map((g) => ({
  name: g.definition.name,
  ...g,
}));
const client = await writeBrowserBundle(BUNDLE_DIR, games);
process.stdout.write(`browser client bundled into ${BUNDLE_DIR} (${Math.round(client.js.length / 1024)} KB of script, ${games.length} games)\n`);
