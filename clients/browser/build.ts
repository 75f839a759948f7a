import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The browser client: its page and its bundled script (the SDK and socket.io-client included). */
export interface BrowserClient {
  html: string;
  js: string;
}

/** Run from the TypeScript sources (tsx), not from the compiled build in `dist/`. */
const fromSources = import.meta.url.endsWith(".ts");

/** Where `npm run build` writes the bundle: `dist/browser/` at the project's root (this file compiled is in `dist/clients/browser/`). */
export const BUNDLE_DIR = fileURLToPath(new URL(fromSources ? "../../dist/browser/" : "../../browser/", import.meta.url));

/** How the page's scripts are bundled: one minified ES module each, for the browser, in memory. */
const BROWSER_BUNDLE = { bundle: true, write: false, format: "esm", target: "es2022", platform: "browser", minify: true, logLevel: "silent" } as const;

/** Bundles the browser client in memory with esbuild. */
export async function bundleBrowserClient(): Promise<BrowserClient> {
  // Loaded only here: the compiled server reads the bundle and never loads esbuild.
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

const scripts = new Map<string, Promise<string>>();

/**
 * A game's browser module as the server serves it: compiled, the one `npm run build` wrote (built-in
 * games), else bundled at its first request from the game's files (a game loaded from elsewhere).
 */
export function gameScript(files: GameFiles): Promise<string> {
  let script = scripts.get(files.name);
  if (!script) {
    const built = `${BUNDLE_DIR}/games/${files.name}.js`;
    script = !fromSources && existsSync(built) ? readFile(built, "utf8") : bundleGameScript(files);
    scripts.set(files.name, script);
    script.catch(() => scripts.delete(files.name));
  }
  return script;
}

let loaded: Promise<BrowserClient> | undefined;

/**
 * The browser client the server serves, loaded at its first request, never at start-up. Run from
 * the TypeScript sources (`npm start`, development), it is bundled then from the current sources;
 * run compiled, it is read from the bundle `npm run build` wrote.
 */
export function browserClient(): Promise<BrowserClient> {
  loaded ??= fromSources
    ? bundleBrowserClient()
    : Promise.all([readFile(`${BUNDLE_DIR}/index.html`, "utf8"), readFile(`${BUNDLE_DIR}/app.js`, "utf8")]).then(([html, js]) => ({ html, js }));
  loaded.catch(() => (loaded = undefined));
  return loaded;
}
