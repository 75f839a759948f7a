import { expect } from "vitest";
import type { MatchFound } from "../../protocol/index.ts";
import { connect, eventually, recordMatchEvents, request, waitFor } from "./clients.ts";
import { signToken } from "./tokens.ts";

/**
 * The end of a match must reach a player before news of their next match, though the end travels
 * the long way: the match is hosted on `far` (slow to reach Redis), and the player, on `near`, is
 * freed by the store and paired again on `near` at once. Each node as its clients reach it, and the
 * far node's id (the host of the first match). With regions, `latencies` are what each player
 * reports (the first match must be able to run on the far node, the second on the near one).
 */
export async function endComesBeforeNextMatch(
  near: { url: string },
  far: { url: string; nodeId: string },
  secret: string,
  latencies: { host?: object; mover?: object; next?: object } = {},
): Promise<void> {
  const join = (who: keyof typeof latencies) => ({ mode: "casual", ...(latencies[who] ? { latencies: latencies[who] } : {}) });
  const exp = Math.floor(Date.now() / 1000) + 600;
  const player = async (sub: string, node: { url: string }) => connect(node.url, "tictactoe", await signToken(secret, { sub, exp }));
  const host = await player(`host-side-${exp}`, far);
  const mover = await player(`mover-${exp}`, near);
  const events = recordMatchEvents(mover);

  // The first match: hosted on the far node (its first player's node).
  const found = Promise.all([waitFor<MatchFound>(host, "match:found", 10_000), waitFor<MatchFound>(mover, "match:found", 10_000)]);
  expect(await request(host, "queue:join", join("host"))).toMatchObject({ ok: true });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await request(mover, "queue:join", join("mover"))).toMatchObject({ ok: true });
  const [first] = await found;
  expect(first.host.node).toBe(far.nodeId);
  const started = Promise.all([waitFor(host, "match:start", 10_000), waitFor(mover, "match:start", 10_000)]);
  await Promise.all([request(host, "match:ready", { matchId: first.matchId }), request(mover, "match:ready", { matchId: first.matchId })]);
  await started;

  // Someone waits on the near node for the mover's next match; the host's player leaves the first one.
  const next = await player(`next-${exp}`, near);
  expect(await request(next, "queue:join", join("next"))).toMatchObject({ ok: true });
  const nextFound = waitFor<MatchFound>(next, "match:found", 15_000);
  void request(host, "match:leave", { matchId: first.matchId });
  // The mover asks to queue again and again: it is let in the moment the store frees them.
  for (let joined = false; !joined; ) {
    const answer = await request(mover, "queue:join", join("mover"));
    joined = answer.ok;
    if (!joined) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const second = await nextFound;
  await eventually(() => events.includes(`match:found ${second.matchId}`), 5000, "the mover told of the next match");
  expect(events.filter((e) => !e.startsWith("match:start"))).toEqual([
    `match:found ${first.matchId}`,
    `match:end ${first.matchId}`,
    `match:found ${second.matchId}`,
  ]);
}
