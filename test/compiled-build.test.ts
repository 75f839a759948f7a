import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { closeAllClients, connect, request } from "./support/clients.ts";
import { REFLEX_SOURCE } from "./support/reflex-game.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** What the compiled server must not need at run time. */
const BUILD_ONLY = new Set(["esbuild", "@esbuild", "tsx", ".bin"]);

describe("npm run build", () => {
  let dir = "";
  afterAll(() => {
    closeAllClients();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("compiles the server and bundles the page once; npm run start:prod runs without tsx or esbuild, a compiled game module by path included", async () => {
    // PAGE_DIR unset (the suite's points elsewhere): the page goes beside the compiled server, in dist/browser/.
    const built = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PAGE_DIR: "" } });
    expect(built.status, built.stderr + built.stdout).toBe(0);

    // The build and the packages, without tsx and esbuild: loading either would fail.
    dir = mkdtempSync(join(tmpdir(), "arena-dist-"));
    cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
    // The package as installed: its exports lead a compiled game module to the compiled `arena/game`.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; exports: unknown };
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: pkg.name, type: "module", exports: pkg.exports }));
    mkdirSync(join(dir, "node_modules"));
    for (const entry of readdirSync(join(ROOT, "node_modules"))) {
      if (!BUILD_ONLY.has(entry)) symlinkSync(join(ROOT, "node_modules", entry), join(dir, "node_modules", entry));
    }
    // An operator's game, compiled to JavaScript (esbuild here stands for the studio's own build).
    const { transformSync } = await import("esbuild");
    mkdirSync(join(dir, "games"));
    writeFileSync(join(dir, "games", "reflex.js"), transformSync(REFLEX_SOURCE, { loader: "ts", format: "esm" }).code);

    const start = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts["start:prod"] as string;
    const child = spawn(process.execPath, start.split(" ").slice(1), {
      cwd: dir,
      // PAGE_DIR unset: the compiled server serves the page `npm run build` wrote beside it.
      env: { ...process.env, PAGE_DIR: "", NODE_OPTIONS: "", HOST: "127.0.0.1", PORT: "0", LOG_FORMAT: "json", GAMES: "pong,connect-four,./games/reflex.js" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no start-up: ${out} ${stderr}`)), 20_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((l) => l.includes('"arena listening"'));
        if (line) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { port: number }).port);
        }
      });
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      expect(await (await fetch(`${url}/`)).text()).toContain('src="/app.js"');
      expect(await (await fetch(`${url}/app.js`)).text()).toContain("state:ack");
      const guest = (await (await fetch(`${url}/v1/guest`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json()) as {
        token: string;
      };
      const socket = await connect(url, "pong", guest.token);
      expect(await request(socket, "queue:join", { mode: "casual" })).toMatchObject({ ok: true });
      // A compiled game module named by path plays like a built-in one; built-in games' browser modules come from the build.
      const games = (await (await fetch(`${url}/v1/games`)).json()) as { name: string }[];
      expect(games.map((g) => g.name)).toEqual(["pong", "connect-four", "reflex"]);
      const reflex = await connect(url, "reflex", guest.token);
      expect(await request(reflex, "queue:join", {})).toMatchObject({ ok: true });
      expect((await fetch(`${url}/games/connect-four.js`)).status).toBe(200);
    } finally {
      closeAllClients();
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code, stderr).toBe(0);
    }
  }, 120_000);
});

describe("a production install: npm ci --omit=dev && npm run build && npm run start:prod", () => {
  let dir = "";
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("builds without the development packages and runs without tsx, esbuild or pino-pretty (pretty logs fall back to JSON, saying why)", async () => {
    // A clean copy of the repository's files, as a clone gives them.
    dir = mkdtempSync(join(tmpdir(), "arena-prod-"));
    const files = spawnSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
    for (const file of files) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
    const run = (command: string, args: string[]) => {
      const done = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: { ...process.env, PAGE_DIR: "", NODE_ENV: "production" } });
      expect(done.status, `${command} ${args.join(" ")}: ${done.stderr}${done.stdout}`).toBe(0);
    };
    run("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"]);
    for (const devOnly of ["vitest", "@biomejs", "pino-pretty", "playwright-core"]) expect(readdirSync(join(dir, "node_modules"))).not.toContain(devOnly);
    run("npm", ["run", "build"]);
    // What the build used is not needed to run: gone, loading it would fail.
    for (const buildOnly of ["tsx", "esbuild", "@esbuild", "typescript"]) rmSync(join(dir, "node_modules", buildOnly), { recursive: true, force: true });

    // The script's own command line (npm in between would not pass SIGTERM on).
    const start = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts["start:prod"] as string;
    const child = spawn(process.execPath, start.split(" ").slice(1), {
      cwd: dir,
      env: { ...process.env, PAGE_DIR: "", NODE_OPTIONS: "", HOST: "127.0.0.1", PORT: "0", LOG_FORMAT: "pretty" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`start:prod exited with ${code}: ${out} ${stderr}`)));
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((l) => l.includes('"arena listening"'));
        if (line) resolve((JSON.parse(line) as { port: number }).port);
      });
    });
    try {
      expect(out).toContain("pino-pretty is not installed");
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const guest = await fetch(`${url}/v1/guest`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(guest.status).toBe(200);
      expect(await (await fetch(`${url}/app.js`)).text()).toContain("state:ack");
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
      expect(out).toContain('"msg":"stopped"');
    }
  }, 180_000);
});
