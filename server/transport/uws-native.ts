import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export type Uws = typeof import("uWebSockets.js");

/** The outcome of loading uWebSockets.js. */
export interface UwsLoad {
  uws: Uws;
  /** True when the exports are the native addon; false when the package fell back to its JavaScript shim. */
  native: boolean;
  binary: string;
  reason?: string;
}

/**
 * Loads uWebSockets.js and tells whether the native binary is the one in use.
 * The package silently swaps in a slow JavaScript shim when its binary fails to load:
 * the native binary is in use only if requiring it directly yields the very same exports.
 */
export function loadUws(): UwsLoad {
  const entry = require.resolve("uWebSockets.js");
  const binary = join(dirname(entry), "..", "binaries", `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  const uws = require("uWebSockets.js") as Uws;
  try {
    const direct = require(binary) as Uws;
    if (direct === uws) return { uws, native: true, binary };
    return { uws, native: false, binary, reason: "the package chose its JavaScript fallback (UWS_USE_FALLBACK is set?)" };
  } catch (error) {
    return { uws, native: false, binary, reason: `the native binary failed to load: ${(error as Error).message.split("\n")[0]}` };
  }
}
