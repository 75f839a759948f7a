import { mkdir, readFile, writeFile } from "node:fs/promises";
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

/** Bundles the browser client in memory with esbuild. */
export async function bundleBrowserClient(): Promise<BrowserClient> {
  // Loaded only here: the compiled server reads the bundle and never loads esbuild.
  const { build } = await import("esbuild");
  const [html, result] = await Promise.all([
    readFile(new URL("./index.html", import.meta.url), "utf8"),
    build({
      entryPoints: [fileURLToPath(new URL("./app.ts", import.meta.url))],
      bundle: true,
      write: false,
      format: "esm",
      target: "es2022",
      platform: "browser",
      minify: true,
      logLevel: "silent",
    }),
  ]);
  return { html, js: result.outputFiles[0]!.text };
}

/** Bundles the browser client once and writes it to `dir` (`index.html` and `app.js`). */
export async function writeBrowserBundle(dir = BUNDLE_DIR): Promise<BrowserClient> {
  const client = await bundleBrowserClient();
  await mkdir(dir, { recursive: true });
  await Promise.all([writeFile(`${dir}/index.html`, client.html), writeFile(`${dir}/app.js`, client.js)]);
  return client;
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
