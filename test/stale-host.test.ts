import { afterEach, describe, expect, it } from "vitest";
import type { ChatMessage, HistoryEntry, MatchEnd, MatchFound, MatchStart, StatePayload } from "../protocol/index.ts";
import { closeAllClients, connectGuest, eventually, request, waitFor } from "./support/clients.ts";
import { Player } from "./support/players.ts";
import { redisEnv, spawnNode, stopAll, testPrefix, testSecret, type ChildNode } from "./support/servers.ts";

const nodes: ChildNode[] = [];
afterEach(async () => {
  closeAllClients();
  for (const node of nodes) node.process.kill("SIGCONT");
  await stopAll(nodes.splice(0));
});

/** A gauge's value in a node's /metrics. */
async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return Number(line?.split(" ").pop());
}

/** The nodes' settings: one deployment (a fresh prefix), a short lease, pong matches that last. */
const nodeEnv = (extra: Record<string, string> = {}) => ({
  ENGINE: "uws",
  ...redisEnv("redis"),
  REDIS_PREFIX: testPrefix(),
  ARENA_SECRET: testSecret(),
  MATCHMAKER_INTERVAL_MS: "50",
  PONG_POINTS: "1000",
  HOST_LEASE_MS: "1500",
  ...extra,
});

/** Every log line of `node` about the match. */
const about = (node: ChildNode, matchId: string) => node.logs.filter((line) => line.matchId === matchId).map((line) => String(line.msg));

/**
 * Three nodes: the host alone in region "far", both players on the two "near" nodes, where they
 * stay whatever happens (neither client ever moves). The host dies (SIGKILL) or stalls past its
 * lease (SIGSTOP, then SIGCONT); a near node adopts the match.
 */
describe.each(["SIGKILL", "SIGSTOP"] as const)("a match whose host is lost to %s, with players who never move", (signal) => {
  it("is adopted and plays on: inputs, chat and acks reach the adopter, a reconnect resumes, and it ends once", async () => {
    const env = nodeEnv();
    nodes.push(...(await Promise.all([spawnNode({ ...env, REGION: "far" }), spawnNode({ ...env, REGION: "near" }), spawnNode({ ...env, REGION: "near" })])));
    const [far, b, c] = nodes as [ChildNode, ChildNode, ChildNode];
    const ann = await new Player("pong", "Ann").join(b.url);
    const bob = await new Player("pong", "Bob").join(c.url);
    const found = Promise.all([waitFor<MatchFound>(ann.socket, "match:found", 10_000), waitFor<MatchFound>(bob.socket, "match:found", 10_000)]);
    for (const p of [ann, bob]) expect(await p.send("queue:join", { latencies: { far: 10 } })).toMatchObject({ ok: true });
    const [{ matchId, host }] = await found;
    expect(host.node).toBe(far.nodeId);
    const { socket: watcher } = await connectGuest(c.url, "pong", "Watcher");
    const watched: StatePayload[] = [];
    const watcherEnds: MatchEnd[] = [];
    watcher.on("state", (state) => watched.push(state));
    watcher.on("match:end", (end) => watcherEnds.push(end));
    const ends: Record<string, MatchEnd[]> = { ann: [], bob: [] };
    ann.socket.on("match:end", (end) => ends.ann!.push(end));
    bob.socket.on("match:end", (end) => ends.bob!.push(end));
    const started = Promise.all([waitFor<MatchStart>(ann.socket, "match:start"), waitFor<MatchStart>(bob.socket, "match:start")]);
    for (const p of [ann, bob]) expect(await p.send("match:ready", { matchId })).toMatchObject({ ok: true });
    await started;
    // play long enough for the host to write a snapshot or two
    let seq = 0;
    expect(await ann.send("game:input", { matchId, seq: ++seq, input: { dir: 1 } })).toMatchObject({ ok: true });
    expect(await request(watcher, "match:spectate", { matchId })).toMatchObject({ ok: true });
    await eventually(() => (ann.state?.tick ?? 0) >= 60 && (bob.state?.tick ?? 0) >= 60, 20_000, "2 s of play relayed from the far host");
    await eventually(() => watched.length > 0, 10_000, "the spectator watching before the host is lost");

    if (signal === "SIGKILL") await far.kill("SIGKILL");
    else far.process.kill("SIGSTOP");
    await eventually(() => ann.resumed.length > 0 && bob.resumed.length > 0, 30_000, "both players told match:resumed by the adopter");
    const adopter = ann.resumed[0]!.host!.node;
    expect([b.nodeId, c.nodeId]).toContain(adopter);
    expect(bob.resumed[0]!.host!.node).toBe(adopter);
    const resumedAt = ann.resumed[0]!.tick;

    if (signal === "SIGSTOP") {
      far.process.kill("SIGCONT");
      // the stale host comes back: it learns it lost the match and lets it go, without ending it
      await eventually(
        () => about(far, matchId).some((msg) => /no longer hosted here|end of match refused/.test(msg)),
        30_000,
        "the stale host letting the match go",
      );
    }

    // the match plays on at the adopter, for both players where they are
    await eventually(
      () => (ann.state?.tick ?? 0) > resumedAt + 30 && (bob.state?.tick ?? 0) > resumedAt + 30,
      20_000,
      "states from the adopter after the resumption",
    );
    // the spectator on a live node watches on: the adopter had them in the snapshot
    await eventually(() => (watched.at(-1)?.tick ?? 0) > resumedAt + 30, 20_000, "the spectator's states from the adopter");
    // inputs reach the new host: the first may still find the old host unanswering (UNAVAILABLE), none after
    for (const p of [ann, bob]) {
      await eventually(async () => (await p.send("game:input", { matchId, seq: ++seq, input: { dir: -1 } })).ok, 20_000, `${p.name}'s input taken`);
      for (let i = 0; i < 3; i++) expect(await p.send("game:input", { matchId, seq: ++seq, input: { dir: 1 } })).toMatchObject({ ok: true });
    }
    const heard = waitFor<ChatMessage>(bob.socket, "chat", 10_000);
    expect(await ann.send("chat:send", { matchId, text: "still here" })).toMatchObject({ ok: true });
    expect(await heard).toMatchObject({ matchId, from: ann.playerId, text: "still here" });

    // Ann reconnects to the same node: still in the match there
    const annStates = ann.states.length;
    ann.socket.close();
    await ann.connect(b.url);
    ann.socket.on("match:end", (end) => ends.ann!.push(end));
    expect(await request(ann.socket, "game:input", { matchId, seq: ++seq, input: { dir: 1 } })).toMatchObject({ ok: true });
    await eventually(() => ann.states.length > annStates + 10, 10_000, "states after the reconnect");

    // it ends once, for both, with one history entry each
    expect(await bob.send("match:leave", { matchId })).toMatchObject({ ok: true });
    await eventually(() => ends.ann!.length > 0 && ends.bob!.length > 0, 10_000, "both told the end");
    await eventually(() => watcherEnds.length > 0, 10_000, "the spectator told the end");
    for (const list of [ends.ann!, ends.bob!, watcherEnds])
      expect(list).toEqual([expect.objectContaining({ matchId, reason: "forfeit", winner: ann.playerId })]);
    await eventually(async () => (await gauge(c.url, "arena_spectator_groups")) === 0, 10_000, "no spectator group left on the spectator's node");
    const history = (await (await fetch(`${b.url}/v1/players/${ann.playerId}/matches?game=pong`)).json()) as HistoryEntry[];
    expect(history.filter((e) => e.matchId === matchId)).toEqual([expect.objectContaining({ result: "win" })]);
    expect(about(far, matchId)).not.toContain("match ended");
    const adopterNode = nodes.find((n) => n.nodeId === adopter)!;
    expect(about(adopterNode, matchId).filter((msg) => msg === "match ended")).toHaveLength(1);
  }, 120_000);
});

describe("a match whose host dies with no snapshot to resume from", () => {
  it("is aborted by the node that takes it; the spectator group on another node is let go, not leaked", async () => {
    const env = nodeEnv({ SNAPSHOT_INTERVAL_MS: "0" });
    nodes.push(...(await Promise.all([spawnNode({ ...env, REGION: "far" }), spawnNode({ ...env, REGION: "near" })])));
    const [far, near] = nodes as [ChildNode, ChildNode];
    const ann = await new Player("pong", "Ann").join(near.url);
    const bob = await new Player("pong", "Bob").join(near.url);
    const found = waitFor<MatchFound>(ann.socket, "match:found", 10_000);
    for (const p of [ann, bob]) expect(await p.send("queue:join", { latencies: { far: 10 } })).toMatchObject({ ok: true });
    const { matchId, host } = await found;
    expect(host.node).toBe(far.nodeId);
    const started = waitFor<MatchStart>(ann.socket, "match:start");
    for (const p of [ann, bob]) expect(await p.send("match:ready", { matchId })).toMatchObject({ ok: true });
    await started;
    const { socket: watcher } = await connectGuest(near.url, "pong", "Watcher");
    expect(await request(watcher, "match:spectate", { matchId })).toMatchObject({ ok: true });
    expect(await gauge(near.url, "arena_spectator_groups")).toBe(1);
    const aborted = waitFor<MatchEnd>(ann.socket, "match:end", 30_000);
    await far.kill("SIGKILL");
    expect(await aborted).toMatchObject({ matchId, reason: "aborted" });
    await eventually(async () => (await gauge(near.url, "arena_spectator_groups")) === 0, 30_000, "the spectator group let go");
    expect(near.logs.some((l) => l.matchId === matchId && /spectators let go/.test(String(l.msg)))).toBe(true);
  }, 90_000);
});
