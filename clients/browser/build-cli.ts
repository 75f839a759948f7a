import { BUILTIN_GAMES } from "../../game-rooms/games/index.ts";
import { builtinGames } from "../../game-rooms/games/load-games.ts";
import { BUNDLE_DIR, writeBrowserBundle } from "./build.ts";

// `npm run build`: bundles the browser client and each built-in game's browser module once, into dist/browser/.
const games = builtinGames(BUILTIN_GAMES.map((g) => g.name)).map((g) => ({ name: g.definition.name, ...g }));
const client = await writeBrowserBundle(BUNDLE_DIR, games);
process.stdout.write(`browser client bundled into ${BUNDLE_DIR} (${Math.round(client.js.length / 1024)} KB of script, ${games.length} games)\n`);
