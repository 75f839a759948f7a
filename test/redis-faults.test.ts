import { afterEach, describe, expect, inject, it } from "vitest";
import { FaultProxy } from "../harness/index.ts";
import { type Bot, botProblems, tictactoeBot } from "./support/bots.ts";
import { closeAllClients, eventually, request } from "./support/clients.ts";
import { spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";
import { signToken } from "./support/tokens.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TICKET_TTL_MS = 3000;
const nodes: ChildNode[] = [];
let proxy: FaultProxy | undefined;
afterEach(async () => {
  closeAllClients();
  await stopAll(nodes);
  await proxy?.close();
  proxy = undefined;
});

const readyStatus = async (node: ChildNode) => (await fetch(`${node.url}/readyz`)).status;

/** Each fault, injected 1.5 s into a run of bots playing on two nodes, with what it must also show. */
const FAULTS: [string, (proxy: FaultProxy, nodes: ChildNode[]) => Promise<void>][] = [
  [
    "every connection cut, twice",
    async (p) => {
      p.cutAll();
      await sleep(1000);
      p.cutAll();
    },
  ],
  [
    "connections cut right after a script reached Redis",
    async (p) => {
      for (const marker of ['"matchIds"', '"ticketId"', '"matchId"', '"matchIds"']) {
        await Promise.race([p.cutAfterCommand(marker), sleep(2000)]);
      }
    },
  ],
  [
    "200 ms of latency",
    async (p) => {
      p.latency(200);
      await sleep(3000);
      p.latency(0);
    },
  ],
  [
    "traffic black-holed for 5 s",
    async (p, all) => {
      p.blackHole(5000);
      // unreachable though connected: both nodes say so, then recover by themselves
      await eventually(async () => (await Promise.all(all.map(readyStatus))).every((s) => s === 503), 4500, "503 during the black hole");
      await eventually(async () => (await Promise.all(all.map(readyStatus))).every((s) => s === 200), 10_000, "ready after it");
    },
  ],
  [
    "Redis unreachable for 3 s",
    async (p, all) => {
      p.down(3000);
      await eventually(async () => (await Promise.all(all.map(readyStatus))).every((s) => s === 503), 2500, "503 while unreachable");
      await eventually(async () => (await Promise.all(all.map(readyStatus))).every((s) => s === 200), 10_000, "ready after it");
    },
  ],
];

describe("faults between nodes and Redis", () => {
  it.each(FAULTS)(
    "%s: no player in two matches, none stranded, no crash",
    async (_name, inject_) => {
      const target = new URL(inject("redisUrl"));
      proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
      const secret = testSecret();
      const env = {
        ENGINE: "uws",
        REDIS_URL: proxy.url(),
        REDIS_PREFIX: testPrefix(),
        ARENA_SECRET: secret,
        TICKET_TTL_MS: String(TICKET_TTL_MS),
        HOST_LEASE_MS: "1500",
        MATCHMAKER_INTERVAL_MS: "50",
        TICTACTOE_MOVE_SECONDS: "0.5",
        READY_TIMEOUT_MS: "2000",
      };
      nodes.push(...(await Promise.all([spawnNode(env), spawnNode(env)])));
      let running = true;
      const exp = Math.floor(Date.now() / 1000) + 600;
      const bots: Bot[] = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => tictactoeBot(`f${i}`, nodes[i % 2]!.url, await signToken(secret, { sub: `f${i}`, exp }), () => running)),
      );
      await sleep(1500);
      await inject_(proxy, nodes);
      await sleep(1500);
      running = false;

      // Every running match finishes (the move clock is short); then everyone leaves the queue.
      await eventually(() => bots.every((x) => !x.playing), 20_000, "every match over").catch((error: Error) => {
        // which matches never ended, and what the nodes said of them
        const open = bots.flatMap((x) => (x.inMatch() ? [...x.matches].filter(([, m]) => m.startedAt && !m.end).map(([id]) => id) : []));
        const said = nodes.flatMap((n, i) => n.logs.filter((l) => open.includes(l.matchId as string)).map((l) => `${i}:${String(l.msg)}`));
        const stuck = bots.filter((x) => x.inMatch()).map((x) => ({ id: x.id, events: x.events.slice(-6) }));
        throw new Error(`${error.message}: ${JSON.stringify({ open: [...new Set(open)], said, stuck })}`);
      });
      // What each leave was answered, for the failure message.
      const left = new Map<string, string>();
      await Promise.all(
        bots.map(async (x) => left.set(x.id, JSON.stringify(await request(x.socket, "queue:leave", {}).catch((error: Error) => error.message)))),
      );
      // No one is stranded: each can queue again within TICKET_TTL_MS.
      const stranded = new Set(bots.map((x) => x.id));
      const refusals = new Map<string, string>();
      await eventually(
        async () => {
          await Promise.all(
            bots
              .filter((x) => stranded.has(x.id))
              .map(async (x) => {
                const joined = await request(x.socket, "queue:join", { mode: "casual" }).catch(() => undefined);
                if (joined?.ok) stranded.delete(x.id);
                else {
                  // A ticket made after its leave (a join or a requeue still on its way): the
                  // player is queued, not stuck; it leaves, and joins again to prove it can.
                  if ((joined as { error?: { code?: string } } | undefined)?.error?.code === "ALREADY_QUEUED") {
                    await request(x.socket, "queue:leave", {}).catch(() => undefined);
                  }
                  refusals.set(
                    x.id,
                    `${joined ? JSON.stringify(joined) : "no answer"}, its leave: ${left.get(x.id)}, in match: ${x.inMatch()}, last told: ${x.events.slice(-3).join(", ")}`,
                  );
                }
              }),
          );
          return stranded.size === 0;
        },
        TICKET_TTL_MS + 2000,
        "everyone queued again",
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${[...stranded].map((id) => `${id}: ${refusals.get(id)}`).join("; ")}`);
      });
      expect(bots.reduce((n, x) => n + [...x.matches.values()].filter((m) => m.end).length, 0)).toBeGreaterThan(20);
      expect(botProblems(bots)).toEqual([]);
      // No crash: stopAll fails on any uncaught exception or unhandled rejection a node logged.
      for (const node of nodes) expect(node.process.exitCode).toBeNull();
    },
    90_000,
  );
});
