/**
 * Builds the SDK package (`npm run build:sdk`): `dist/index.js` (ESM, its dependencies left to npm),
 * `dist/arena-sdk.browser.js` (one module with everything, for a page without a bundler), and the
 * declarations under `dist/types/`. `npm pack` in this folder then makes the tarball.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = `${here}dist`;
rmSync(dist, { recursive: true, force: true });
const entryPoints = [`${here}index.ts`];
const common = { entryPoints, bundle: true, format: "esm", target: "es2022", logLevel: "warning", sourcemap: true } as const;
await build({ ...common, platform: "neutral", outfile: `${dist}/index.js`, external: ["socket.io-client", "zod"] });
await build({ ...common, platform: "browser", minify: true, outfile: `${dist}/arena-sdk.browser.js` });
execFileSync(process.execPath, [fileURLToPath(import.meta.resolve("typescript/bin/tsc")), "-p", `${here}tsconfig.json`], { stdio: "inherit" });

// Declarations keep the sources' `.ts` specifiers: a consumer's compiler wants the emitted `.js` ones.
for (const file of readdirSync(`${dist}/types`, { recursive: true, encoding: "utf8" })) {
  if (!file.endsWith(".d.ts")) continue;
  const path = `${dist}/types/${file}`;
  writeFileSync(path, readFileSync(path, "utf8").replace(/(from\s+"\.{1,2}\/[^"]+)\.ts"/g, '$1.js"'));
}
