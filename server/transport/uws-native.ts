import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export type Uws = typeof import("uWebSockets.js");

/** A uWebSockets.js build on the registry, installed under an alias, and where its binary for this Node would be. */
export interface UwsBuild {
  /** The dependency's name in package.json. */
  name: string;
  /** What it serves, for the log: which Node versions, which C library. */
  serves: string;
  /** The path of its native binary for this platform, architecture and Node ABI (`process.versions.modules`). */
  binary(): string;
}

const abi = `${process.platform}_${process.arch}_${process.versions.modules}`;

/**
 * The builds tried, in order. Their own entry points are not used: the first falls back to a slow
 * JavaScript shim without a word when its binary does not load; the native binary is required
 * directly instead, so only a native build is ever in use.
 */
export const UWS_BUILDS: readonly UwsBuild[] = [
  {
    name: "uWebSockets.js",
    serves: "Node 16, 18 and 20 on any glibc",
    binary: () => join(dirname(require.resolve("uWebSockets.js")), "..", "binaries", `uws_${abi}.node`),
  },
  {
    name: "uws-glibc238",
    serves: "Node 20, 22, 24 and 25 on glibc 2.38 or newer",
    binary: () => join(dirname(require.resolve("uws-glibc238")), `uws_${abi}.node`),
  },
];

/** The outcome of loading uWebSockets.js: the native build in use, or why none is. */
export type UwsLoad = { native: true; uws: Uws; build: string; binary: string; tried: string[] } | { native: false; reason: string; tried: string[] };

/** Whether an environment variable asks for the JavaScript shim (`UWS_USE_FALLBACK`, as the first build reads it). */
function fallbackAsked(env: NodeJS.ProcessEnv): boolean {
  return ["true", "True", "TRUE", "1"].includes(env.UWS_USE_FALLBACK ?? "");
}

/**
 * Loads the first uWebSockets.js build whose native binary fits this Node and C library. Each
 * build that does not fit says why in `tried`; none fitting is `native: false`, never a shim.
 */
export function loadUws(builds: readonly UwsBuild[] = UWS_BUILDS, load: (path: string) => unknown = require, env = process.env): UwsLoad {
  if (fallbackAsked(env)) return { native: false, reason: "UWS_USE_FALLBACK asks for the JavaScript fallback, which is refused", tried: [] };
  const tried: string[] = [];
  for (const build of builds) {
    let binary: string;
    try {
      binary = build.binary();
    } catch {
      tried.push(`${build.name}: not installed`);
      continue;
    }
    if (!existsSync(binary)) {
      tried.push(`${build.name} (${build.serves}): no binary for Node ${process.versions.node} (ABI ${process.versions.modules})`);
      continue;
    }
    try {
      return { native: true, uws: load(binary) as Uws, build: build.name, binary, tried };
    } catch (error) {
      tried.push(`${build.name} (${build.serves}): ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return { native: false, reason: `no uWebSockets.js build fits this Node and C library: ${tried.join("; ")}`, tried };
}

/** The native uWebSockets.js, or an error saying why none fits (for tools that need it: the bench's baselines). */
export function nativeUws(): Uws {
  const loaded = loadUws();
  if (!loaded.native) throw new Error(loaded.reason);
  return loaded.uws;
}
