/**
 * End to end pairing on one node: N players queue at once; players per second from queue:join to
 * match:found on both sides, and the overhead (time to be told minus time waited for a partner).
 * With a rate, players join at that many per second instead of all at once.
 *   npm run bench:pairing-e2e -- 2000          (a storm: all at once)
 *   npm run bench:pairing-e2e -- 4000 2000     (2,000 joins per second)
 */
import { performance } from "node:perf_hooks";
import { connectMany, pinSelf } from "./client.ts";
import { spawnNode } from "./server-process.ts";
import { percentile, round } from "./stats.ts";

const PLAYERS = Number(process.argv[2] ?? 2000);
const RATE = Number(process.argv[3] ?? 0);
const server = await spawnNode({ ENGINE: "uws", RATE_LIMIT_PER_SECOND: "1000", RATE_LIMIT_BURST: "1000" }, { pinToCpu: 0, keepLogs: false });
const cores = pinSelf(1, 0);
try {
  const sockets = await connectMany(server.url, "tictactoe", PLAYERS);
  const joinedAt = new Array<number>(PLAYERS).fill(0);
  const foundAt = new Array<number>(PLAYERS).fill(0);
  const matchOf = new Array<string>(PLAYERS).fill("");
  let found = 0;
  const done = new Promise<void>((resolve) => {
    sockets.forEach((socket, i) =>
      socket.on("match:found", (payload) => {
        foundAt[i] = performance.now();
        matchOf[i] = payload.matchId;
        if (++found === PLAYERS) resolve();
      }),
    );
  });
  const start = performance.now();
  const join = (i: number) => {
    joinedAt[i] = performance.now();
    sockets[i]!.emit("queue:join", {}, () => undefined);
  };
  if (RATE > 0) {
    // paced: every 10 ms, the joins due by now
    let next = 0;
    const pacer = setInterval(() => {
      const due = Math.min(PLAYERS, Math.floor(((performance.now() - start) / 1000) * RATE));
      while (next < due) join(next++);
      if (next >= PLAYERS) clearInterval(pacer);
    }, 10);
  } else {
    for (let i = 0; i < PLAYERS; i++) join(i);
  }
  const timeout = setTimeout(() => {
    console.error(`only ${found} of ${PLAYERS} players were told within 60 s`);
    process.exit(1);
  }, 60_000);
  await done;
  clearTimeout(timeout);
  const seconds = (performance.now() - start) / 1000;
  const byMatch = new Map<string, number[]>();
  matchOf.forEach((m, i) => byMatch.set(m, [...(byMatch.get(m) ?? []), i]));
  const overheads: number[] = [];
  for (const members of byMatch.values()) {
    const partnerReady = Math.max(...members.map((i) => joinedAt[i]!));
    const told = Math.max(...members.map((i) => foundAt[i]!));
    overheads.push(told - partnerReady);
  }
  const result = {
    bench: "pairing-e2e",
    date: new Date().toISOString(),
    engine: "uws",
    store: "memory",
    players: PLAYERS,
    arrival: RATE > 0 ? `${RATE}/s` : "all at once",
    matches: byMatch.size,
    playersPerSecond: Math.round(PLAYERS / seconds),
    overheadP50Ms: round(percentile(overheads, 50)),
    overheadP99Ms: round(percentile(overheads, 99)),
    cores,
  };
  console.table([result]);
  console.log(JSON.stringify(result));
  for (const socket of sockets) socket.close();
} finally {
  await server.kill();
}
