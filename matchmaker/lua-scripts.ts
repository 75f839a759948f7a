import { readFileSync } from "node:fs";
import type { CancelReason, PlayerId } from "../protocol/index.ts";
import type { DirectMatch, EndStamps, RematchAsk } from "./store.ts";
import type { Cancellation, Departure, HostClaim, Latencies, MatchPointer, MatchRecord, PairingRules, Rated, Ticket } from "./types.ts";

/**
 * Each Lua script's arguments, by name. The encoder sends them as one JSON object (ARGV[2], after
 * the key prefix), which the shared prelude decodes into `A`: a script reads `A.game`, never a
 * position that must line up with the caller's.
 */
export interface ScriptArgs {
  enqueue: { ticketId: string; playerId: PlayerId; name: string; game: string; mode: string; now: number; initial: Rated; latencies?: Latencies };
  dequeue: { game: string; playerId: PlayerId };
  "open-session": { game: string; playerId: PlayerId; name: string; node: string; generation: number; now: number };
  "close-session": { game: string; playerId: PlayerId; generation: number };
  "sweep-nodes": { game: string; now: number; ttl: number; limit: number };
  pair: { game: string; mode: string; now: number; rules: PairingRules; focus: string; matchIds: string[] };
  "mark-ready": { game: string; matchId: string; playerId: PlayerId; host: string; now: number; leaseMs: number };
  "cancel-ready-check": { game: string; matchId: string; reason: CancelReason; leaver: string };
  "end-match": { game: string; matchId: string; now: number; ending: string; host: string; claim?: HostClaim };
  "finish-match": {
    game: string;
    matchId: string;
    mode: string;
    now: number;
    claim: HostClaim;
    ending: string;
    ratings: { playerId: PlayerId; value: string }[];
    guestTtlMs: number;
    archive: ArchiveArgs;
  };
  "get-match": { game: string; matchId: string };
  "renew-host": { game: string; node: string; until: number; matchIds: string[]; delivered: string[] };
  "claim-lapsed-hosts": { game: string; now: number; limit: number; retryMs: number };
  "claim-matcher": { game: string; mode: string; node: string; ttl: number };
  "save-snapshots": { game: string; node: string; snapshots: { matchId: string; snapshot: string; epoch?: number; from?: number; inputs?: string[] }[] };
  "adopt-match": { game: string; matchId: string; node: string; from: string; until: number };
  "lobby-page": { game: string; after: string; limit: number };
  "make-match": Omit<DirectMatch, "offer"> & { game: string; offer: string };
  "ask-rematch": { game: string; matchId: string; playerId: PlayerId; now: number; windowMs: number };
  "live-matches": { game: string; limit: number };
  "archive-match": ArchiveArgs & { game: string };
  leaderboard: { game: string; mode: string; limit: number };
  "sweep-guests": { game: string };
  "put-offer": { game: string; key: string; offer: string; ttlMs: number };
  "drop-offer": { game: string; key: string };
  "stamp-ages": { game: string; playerId: PlayerId; after: number; before: number };
}

/**
 * What each script answers: an integer reply, or JSON text (`cjson.encode`) that decodes to this
 * type. A script that fails a check answers JSON `{ error: <ErrorCode> }` instead (`RedisCore.json`
 * throws it). cjson encodes an empty Lua table as `{}`, so lists are read with `list()`: `unknown` here.
 */
export interface ScriptResults {
  enqueue: { ticket: Ticket };
  dequeue: Departure;
  "open-session": { match?: MatchPointer; replaced?: string; stale?: boolean; seq: number };
  "close-session": Departure & { none?: boolean };
  "sweep-nodes": { expired: unknown; orphans: unknown; more: boolean; gone: unknown };
  pair: { made: unknown };
  "mark-ready": { match: MatchRecord; started: boolean };
  "cancel-ready-check": Cancellation & { none?: boolean };
  "end-match": { stamps?: EndStamps };
  /** 1 recorded (with the stamps), 2 already recorded by this claim, 0 refused, 3 unknown. */
  "finish-match": { code: 0 | 1 | 2 | 3; stamps?: EndStamps };
  "get-match": { match?: MatchRecord };
  "renew-host": number;
  "claim-lapsed-hosts": { claimed: unknown };
  /** 1 when `node` holds the matcher lease. */
  "claim-matcher": number;
  "save-snapshots": { lost: unknown };
  "adopt-match": {
    match?: MatchRecord;
    snapshot?: string;
    inputs?: unknown;
    truncated?: boolean;
    ended?: { players: PlayerId[]; ending: string; stamps: EndStamps };
  };
  "lobby-page": { players: unknown; total: number; next?: string };
  "make-match": { match: MatchRecord };
  "ask-rematch": RematchAsk;
  "live-matches": { matches: unknown };
  "archive-match": number;
  leaderboard: { entries: unknown };
  /** How many guests it dropped. */
  "sweep-guests": number;
  "put-offer": { put: boolean };
  "drop-offer": { dropped: boolean };
  "stamp-ages": { ages: unknown };
}

/** The scripts that answer an integer; every other one answers JSON. */
export type IntegerScript = { [N in ScriptName]: ScriptResults[N] extends number ? N : never }[ScriptName];
export type JsonScript = Exclude<ScriptName, IntegerScript>;

/** A finished match's archive, as the prelude's `archive_match` takes it. */
export interface ArchiveArgs {
  matchId: string;
  mode: string;
  replay: string;
  replayTtlMs: number;
  historyTtlMs: number;
  ranked: boolean;
  players: { playerId: PlayerId; name: string; rating: number; entry: string; ttl?: number }[];
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
  "finish-match",
  "get-match",
  "renew-host",
  "claim-lapsed-hosts",
  "claim-matcher",
  "save-snapshots",
  "adopt-match",
  "lobby-page",
  "make-match",
  "ask-rematch",
  "live-matches",
  "archive-match",
  "leaderboard",
  "sweep-guests",
  "put-offer",
  "drop-offer",
  "stamp-ages",
];

const prelude = readFileSync(new URL("./lua/prelude.lua", import.meta.url), "utf8");
const once = readFileSync(new URL("./lua/once.lua", import.meta.url), "utf8");

/**
 * Scripts safe to run again as they are: they change nothing, or only forget what is gone (a
 * leaderboard read or a guest sweep drops expired guests). Every other one runs once per request
 * id (two more commands a call).
 */
const RUN_AGAIN_SAFE: ReadonlySet<ScriptName> = new Set(["get-match", "lobby-page", "live-matches", "leaderboard", "sweep-guests", "stamp-ages"]);

/** Whether a script takes a request id (`req`) and answers a repeat of it with the first result. */
export function runsOnce(name: ScriptName): boolean {
  return !RUN_AGAIN_SAFE.has(name);
}

function source(name: ScriptName): string {
  const body = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8");
  return runsOnce(name) ? `${prelude}\nlocal function run()\n${body}\nend\n${once}` : `${prelude}\n${body}`;
}

/** Each script's source: the prelude, then the script (wrapped by `once.lua` unless it is read-only). */
export const scriptSources = new Map<ScriptName, string>(NAMES.map((name) => [name, source(name)]));

/** The hash-tagged prefix of every key of a game: `<prefix>:{<game>}`, one Redis Cluster slot per game. */
export function gameKeyPrefix(prefix: string, game: string): string {
  return `${prefix}:{${game}}`;
}

function archiveKeys(game: string, a: ArchiveArgs): string[] {
  return [`replay:${a.matchId}`, `lbn:${game}:${a.mode}`, `lbname:${game}`, `lb:${game}:${a.mode}`, ...a.players.map((p) => `hist:${game}:${p.playerId}`)];
}

/** The keys each script names from its arguments (after the game's prefix), as the prelude's `k` builds them. */
const NAMED: { [N in ScriptName]: (a: ScriptArgs[N]) => string[] } = {
  enqueue: (a) => [`p:${a.game}:${a.playerId}`, `rating:${a.game}`, `tk:${a.game}`, `qr:${a.game}:${a.mode}`, `qa:${a.game}:${a.mode}`, `modes:${a.game}`],
  dequeue: (a) => [`p:${a.game}:${a.playerId}`],
  "open-session": (a) => ["nodes", `p:${a.game}:${a.playerId}`, `np:${a.node}`, `lobby:${a.game}`],
  "close-session": (a) => [`p:${a.game}:${a.playerId}`, `lobby:${a.game}`],
  "sweep-nodes": () => ["nodes"],
  pair: (a) => [
    `qr:${a.game}:${a.mode}`,
    `qa:${a.game}:${a.mode}`,
    "nodes",
    `rc:${a.game}`,
    `ms:${a.game}`,
    `waits:${a.game}`,
    ...a.matchIds.map((id) => `m:${id}`),
  ],
  "mark-ready": (a) => [`m:${a.matchId}`, `rc:${a.game}`, "hosts", `live:${a.game}`],
  "cancel-ready-check": (a) => [`m:${a.matchId}`, `rc:${a.game}`, `ms:${a.game}`, "reaping", `live:${a.game}`],
  "end-match": (a) => [`m:${a.matchId}`, `rc:${a.game}`, `ms:${a.game}`, "reaping", `live:${a.game}`, `fin:${a.matchId}`, ...(a.host ? [`hm:${a.host}`] : [])],
  "finish-match": (a) => [
    `m:${a.matchId}`,
    `rc:${a.game}`,
    `ms:${a.game}`,
    "reaping",
    `live:${a.game}`,
    `fin:${a.matchId}`,
    `hm:${a.claim.host}`,
    `rt:${a.game}:${a.mode}`,
    ...a.ratings.map((r) => `gr:${a.game}:${a.mode}:${r.playerId}`),
    ...archiveKeys(a.game, a.archive),
  ],
  "get-match": (a) => [`m:${a.matchId}`],
  "renew-host": (a) => ["hosts", `hm:${a.node}`, "reaping", ...[...a.matchIds, ...a.delivered].map((id) => `m:${id}`)],
  "claim-lapsed-hosts": () => ["hosts", "reaping"],
  "claim-matcher": (a) => [`matcher:${a.mode}`],
  "save-snapshots": (a) => a.snapshots.flatMap((s) => [`m:${s.matchId}`, `mi:${s.matchId}`]),
  "lobby-page": (a) => [`lobby:${a.game}`],
  "make-match": (a) => [
    `m:${a.matchId}`,
    `rating:${a.game}`,
    `rc:${a.game}`,
    `ms:${a.game}`,
    ...a.players.map((p) => `p:${a.game}:${p}`),
    ...(a.offer ? [a.offer] : []),
  ],
  "ask-rematch": (a) => [`fin:${a.matchId}`],
  "live-matches": (a) => [`live:${a.game}`],
  "archive-match": (a) => archiveKeys(a.game, a),
  leaderboard: (a) => [`lb:${a.game}:${a.mode}`, `lbname:${a.game}`, `lbn:${a.game}:${a.mode}`],
  "sweep-guests": (a) => ["lbcur", `modes:${a.game}`, `lbname:${a.game}`],
  "adopt-match": (a) => [`m:${a.matchId}`, `mi:${a.matchId}`, `hm:${a.from}`, `hm:${a.node}`, "reaping", "hosts", `fin:${a.matchId}`],
  "put-offer": (a) => [a.key],
  "drop-offer": (a) => [a.key],
  "stamp-ages": (a) => [`p:${a.game}:${a.playerId}`],
};

/**
 * A script call's KEYS and ARGV: the keys it names (all in its game's slot, with its request id's
 * when it has one), then the key prefix and the arguments as one JSON object.
 */
export function encodeCall<N extends ScriptName>(
  name: N,
  prefix: string,
  args: ScriptArgs[N] & { game: string },
  req?: string,
): { keys: string[]; argv: [string, string] } {
  const tagged = gameKeyPrefix(prefix, args.game);
  const keys = NAMED[name](args).map((key) => `${tagged}:${key}`);
  if (req === undefined) return { keys, argv: [prefix, JSON.stringify(args)] };
  return { keys: [...keys, `${tagged}:req:${req}`], argv: [prefix, JSON.stringify({ ...args, req })] };
}
