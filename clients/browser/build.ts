import { readFile } from "node:fs/promises";
import { build } from "esbuild";

/** The browser client: its page and its bundled script (the SDK and socket.io-client included). */
export interface BrowserClient {
  html: string;
  js: string;
}

let built: Promise<BrowserClient> | undefined;

/** Bundles the browser client in memory with esbuild, once per process. */
export function buildBrowserClient(): Promise<BrowserClient> {
  built ??= (async () => {
    const [html, result] = await Promise.all([
      readFile(new URL("./index.html", import.meta.url), "utf8"),
      build({
        entryPoints: [new URL("./app.ts", import.meta.url).pathname],
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
  })();
  return built;
}
