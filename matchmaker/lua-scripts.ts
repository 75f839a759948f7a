import { readFileSync } from "node:fs";
import type { CancelReason, PlayerId } from "../protocol/index.ts";
import type { PairingRules } from "./types.ts";

/**
 * Each Lua script's arguments, by name. The encoder sends them as one JSON object (ARGV[2], after
 * the key prefix), which the shared prelude decodes into `A`: a script reads `A.game`, never a
 * position that must line up with the caller's.
 */
export interface ScriptArgs {
  enqueue: { ticketId: string; playerId: PlayerId; name: string; game: string; mode: string; now: number; defaultRating: number };
  dequeue: { game: string; playerId: PlayerId };
  "open-session": { game: string; playerId: PlayerId; node: string; generation: number; now: number };
  "close-session": { game: string; playerId: PlayerId; generation: number };
  "sweep-nodes": { now: number; ttl: number };
  pair: { game: string; mode: string; now: number; rules: PairingRules; focus: string; matchIds: string[] };
  "mark-ready": { game: string; matchId: string; playerId: PlayerId; host: string; now: number; leaseMs: number };
  "cancel-ready-check": { game: string; matchId: string; reason: CancelReason; leaver: string };
  "end-match": { game: string; matchId: string };
  "get-match": { game: string; matchId: string };
  "renew-leases": { until: number; matchIds: string[] };
  "claim-expired-leases": { now: number; limit: number };
}

export type ScriptName = keyof ScriptArgs;

const NAMES: ScriptName[] = [
  "enqueue",
  "dequeue",
  "open-session",
  "close-session",
  "sweep-nodes",
  "pair",
  "mark-ready",
  "cancel-ready-check",
  "end-match",
  "get-match",
  "renew-leases",
  "claim-expired-leases",
];

const prelude = readFileSync(new URL("./lua/prelude.lua", import.meta.url), "utf8");

/** Each script's source: the prelude, then the script. */
export const scriptSources = new Map<ScriptName, string>(
  NAMES.map((name) => [name, `${prelude}\n${readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8")}`]),
);

/** The ARGV of a script call: the key prefix, then the arguments as one JSON object. */
export function encodeArgs<N extends ScriptName>(prefix: string, args: ScriptArgs[N]): [string, string] {
  return [prefix, JSON.stringify(args)];
}
