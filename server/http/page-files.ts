import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the build step (`npm run build:page`, which `npm start` runs first; `npm run build`) writes
 * the browser page: `dist/browser/` at the project's root, from the sources (`server/`) or compiled
 * (`dist/server/`).
 */
export const DEFAULT_PAGE_DIR = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../../dist/browser/" : "../../browser/", import.meta.url));

/** The browser page as the build step wrote it: its HTML and its script. */
export interface Page {
  html: string;
  js: string;
}

/** The page is not in the directory: the build step did not run. */
export class PageNotBuilt extends Error {}

/**
 * The browser page and each game's browser module, read from the files the build step wrote into
 * `dir` (`index.html`, `app.js`, `games/<name>.js`), each once. The server builds nothing: it
 * serves files. A read that fails is tried again at the next request.
 */
export class PageFiles {
  private page: Promise<Page> | undefined;
  private readonly scripts = new Map<string, Promise<string | undefined>>();

  constructor(readonly dir: string) {}

  /** The page; rejects with `PageNotBuilt` when its files are missing. */
  read(): Promise<Page> {
    this.page ??= Promise.all([readFile(join(this.dir, "index.html"), "utf8"), readFile(join(this.dir, "app.js"), "utf8")]).then(
      ([html, js]) => ({ html, js }),
      (error: NodeJS.ErrnoException) => {
        this.page = undefined;
        throw error.code === "ENOENT" ? new PageNotBuilt(`the browser page is not built in ${this.dir}: run npm run build:page`) : error;
      },
    );
    return this.page;
  }

  /** A game's browser module; undefined when the build step wrote none for it. */
  gameScript(name: string): Promise<string | undefined> {
    let script = this.scripts.get(name);
    if (!script) {
      script = readFile(join(this.dir, "games", `${name}.js`), "utf8").catch((error: NodeJS.ErrnoException) => {
        this.scripts.delete(name);
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      this.scripts.set(name, script);
    }
    return script;
  }
}
