import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The browser client: its page and its bundled script (the SDK and socket.io-client included). */
export interface BrowserClient {
  html: string;
  js: string;
}

/**
 * Where the build step writes the page (`npm run build:page`, run by `npm start` first, and `npm run
 * build`): `dist/browser/` at the project's root, which the server reads (`PAGE_DIR`).
 */
export const BUNDLE_DIR = fileURLToPath(new URL("../../dist/browser/", import.meta.url));

/** How the page's scripts are bundled: one minified ES module each, for the browser, in memory. */
const BROWSER_BUNDLE = { bundle: true, write: false, format: "esm", target: "es2022", platform: "browser", minify: true, logLevel: "silent" } as const;

/** Bundles the browser client in memory with esbuild. */
export async function bundleBrowserClient(): Promise<BrowserClient> {
  // Loaded only here: the build step bundles, the server only reads files.
  const { build } = await import("esbuild");
  const [html, result] = await Promise.all([
    readFile(new URL("./index.html", import.meta.url), "utf8"),
    build({
      ...BROWSER_BUNDLE,
      entryPoints: [fileURLToPath(new URL("./app.ts", import.meta.url))],
    }),
  ]);
  return { html, js: result.outputFiles[0]!.text };
}

/** Where a game's browser module comes from: the file that defines it and its renderer's, either may be missing. */
export interface GameFiles {
  name: string;
  definitionFile?: string;
  rendererFile?: string;
}

/**
 * Bundles one game's browser module (`/games/<name>.js`): `game`, its definition (the page runs its
 * rules for replays), and `renderer`, its renderer; each undefined when the game has none.
 */
export async function bundleGameScript(files: GameFiles): Promise<string> {
  const { build } = await import("esbuild");
  const lines = [
    files.definitionFile ? `export { default as game } from ${JSON.stringify(files.definitionFile)};` : "export const game = undefined;",
    files.rendererFile ? `export { default as renderer } from ${JSON.stringify(files.rendererFile)};` : "export const renderer = undefined;",
  ];
  const result = await build({
    ...BROWSER_BUNDLE,
    stdin: { contents: lines.join("\n"), resolveDir: dirname(files.definitionFile ?? files.rendererFile ?? fileURLToPath(import.meta.url)), loader: "ts" },
  });
  return result.outputFiles[0]!.text;
}

/** Bundles the browser client once and writes it to `dir` (`index.html`, `app.js`, and `games/<name>.js` for each game given). */
export async function writeBrowserBundle(dir = BUNDLE_DIR, games: readonly GameFiles[] = []): Promise<BrowserClient> {
  const client = await bundleBrowserClient();
  await mkdir(`${dir}/games`, { recursive: true });
  await Promise.all([writeFile(`${dir}/index.html`, client.html), writeFile(`${dir}/app.js`, client.js)]);
  for (const game of games) await writeFile(`${dir}/games/${game.name}.js`, await bundleGameScript(game));
  return client;
}
