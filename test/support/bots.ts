import type { MatchEnd, MatchFound, MatchStart, StatePayload } from "../../protocol/index.ts";
import { tictactoeCell } from "../../game-rooms/games/tictactoe/index.ts";
import { connect, request, type TestClient } from "./clients.ts";

/** What one bot saw of one match. */
export interface SeenMatch {
  startedAt?: number;
  end?: MatchEnd;
  endedAt?: number;
  /** How many times its end was handed over (must be at most once). */
  ends?: number;
}

export interface Bot {
  id: string;
  url: string;
  socket: TestClient;
  matches: Map<string, SeenMatch>;
  playing: boolean;
  /**
   * Events told out of causal order: news of a next match while the client still was in one
   * (its end, or its cancellation, not yet told).
   */
  disorder: string[];
  /** Every matchmaking event the client got: `<event> <matchId>`, in order. */
  events: string[];
  /** True from a match's news until its end or cancellation, as this client was told. */
  inMatch(): boolean;
}

/** A tictactoe player that plays every match to its end and queues again, until told to stop. */
export async function tictactoeBot(id: string, url: string, token: string, keepGoing: () => boolean): Promise<Bot> {
  const socket = await connect(url, "tictactoe", token);
  // The match this client was put in (found, started or resumed) and not yet told the end of.
  let current: string | undefined;
  const b: Bot = { id, url, socket, matches: new Map(), playing: false, disorder: [], events: [], inMatch: () => current !== undefined };
  for (const event of ["match:found", "match:start", "match:resumed", "match:end", "match:cancelled"] as const) {
    socket.on(event, (payload: { matchId: string }) => b.events.push(`${event} ${payload.matchId}`));
  }
  let seat: 0 | 1 = 0;
  let seq = 0;
  const enter = (event: string, matchId: string) => {
    if (current !== undefined && current !== matchId) b.disorder.push(`${event} ${matchId} while still in ${current}`);
    current = matchId;
  };
  const leave = (matchId: string) => {
    if (current === matchId) current = undefined;
  };
  socket.on("match:found", (found: MatchFound) => {
    enter("match:found", found.matchId);
    if (!b.matches.has(found.matchId)) b.matches.set(found.matchId, {});
    // Told to stop, it lets new ready checks run out: nothing starts after the run.
    if (keepGoing()) void request(socket, "match:ready", { matchId: found.matchId }).catch(() => undefined);
  });
  const started = (start: MatchStart) => {
    enter("match:start", start.matchId);
    seat = start.seat;
    b.playing = true;
    const record = b.matches.get(start.matchId) ?? {};
    record.startedAt ??= Date.now();
    b.matches.set(start.matchId, record);
  };
  socket.on("match:start", started);
  socket.on("match:resumed", started);
  socket.on("state", (payload: StatePayload) => {
    socket.emit("state:ack", { matchId: payload.matchId, tick: payload.tick });
    const view = payload.state as { board: (0 | 1 | null)[]; turn: 0 | 1 };
    if (view.turn !== seat) return;
    const cell = tictactoeCell(view.board, seat);
    if (cell !== undefined) void request(socket, "game:input", { matchId: payload.matchId, seq: ++seq, input: { cell } }).catch(() => undefined);
  });
  socket.on("match:end", (end: MatchEnd) => {
    leave(end.matchId);
    b.playing = false;
    const record = b.matches.get(end.matchId) ?? {};
    record.end = end;
    record.endedAt = Date.now();
    record.ends = (record.ends ?? 0) + 1;
    b.matches.set(end.matchId, record);
    if (keepGoing()) setTimeout(() => void request(socket, "queue:join", {}).catch(() => undefined), Math.random() * 100);
  });
  socket.on("match:cancelled", (c) => {
    leave(c.matchId);
    if (!c.requeued && keepGoing()) void request(socket, "queue:join", {}).catch(() => undefined);
  });
  await request(socket, "queue:join", {});
  return b;
}

/** Each problem the bots saw: matches overlapping in time, ends told twice, started matches never ended, events out of order. */
export function botProblems(bots: Bot[]): string[] {
  const problems: string[] = [];
  for (const x of bots) {
    problems.push(...x.disorder.map((d) => `${x.id}: ${d}`));
    const intervals = [...x.matches.entries()].filter(([, r]) => r.startedAt).sort(([, p], [, q]) => p.startedAt! - q.startedAt!);
    for (const [matchId, record] of intervals) {
      if ((record.ends ?? 0) > 1) problems.push(`${x.id}: the end of ${matchId} told ${record.ends} times`);
      if (!record.end) problems.push(`${x.id}: ${matchId} started and never ended`);
    }
    for (let i = 1; i < intervals.length; i++) {
      const [prevId, prev] = intervals[i - 1]!;
      const [id, next] = intervals[i]!;
      if (prev.endedAt === undefined || next.startedAt! < prev.endedAt) problems.push(`${x.id}: ${id} started while in ${prevId}`);
    }
  }
  return problems;
}
