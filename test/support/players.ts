import type { MatchEnd, MatchFound, MatchStart, StatePayload } from "../../protocol/index.ts";
import { connect, guest, request, waitFor, type TestClient } from "./clients.ts";

/** A scripted player: acknowledges states as `match:start` asks (counting the acks) and remembers the latest. */
export class Player {
  socket!: TestClient;
  playerId = "";
  token = "";
  state: StatePayload | undefined;
  /** State acks sent. */
  acked = 0;
  ackEvery = 1;
  states: StatePayload[] = [];
  onState: ((payload: StatePayload) => void) | undefined;
  /** Every `match:resumed` received (listened to from the moment of connecting). */
  resumed: MatchStart[] = [];

  constructor(
    readonly game: string,
    readonly name: string,
  ) {}

  async join(url: string): Promise<this> {
    const identity = await guest(url, this.name);
    this.playerId = identity.playerId;
    this.token = identity.token;
    return this.connect(url);
  }

  /** (Re)connects with the same identity. */
  async connect(url: string): Promise<this> {
    this.socket = await connect(url, this.game, this.token, { onSocket: (socket) => socket.on("match:resumed", (p) => this.resumed.push(p)) });
    this.socket.on("state", (payload) => {
      this.state = payload;
      this.states.push(payload);
      if (payload.tick % this.ackEvery === 0) {
        this.acked += 1;
        this.socket.emit("state:ack", { matchId: payload.matchId, tick: payload.tick });
      }
      this.onState?.(payload);
    });
    const started = (start: MatchStart) => (this.ackEvery = start.ackEvery);
    this.socket.on("match:start", started);
    this.socket.on("match:resumed", started);
    return this;
  }

  send(event: string, payload: unknown) {
    return request<Record<string, unknown>>(this.socket, event, payload);
  }
}

export interface StartedMatch {
  matchId: string;
  /** The players in seat order. */
  seats: [Player, Player];
  starts: [MatchStart, MatchStart];
  ends: Promise<[MatchEnd, MatchEnd]>;
}

/** Queues two players (on the given urls), readies both and waits for `match:start`. */
export async function startMatch(game: string, urls: [string, string], mode = "ranked"): Promise<StartedMatch> {
  const a = await new Player(game, "Ann").join(urls[0]);
  const b = await new Player(game, "Bob").join(urls[1]);
  const found = Promise.all([waitFor<MatchFound>(a.socket, "match:found"), waitFor<MatchFound>(b.socket, "match:found")]);
  await a.send("queue:join", { mode });
  await b.send("queue:join", { mode });
  const [fa, fb] = await found;
  const started = Promise.all([waitFor<MatchStart>(a.socket, "match:start"), waitFor<MatchStart>(b.socket, "match:start")]);
  const ends = Promise.all([waitFor<MatchEnd>(a.socket, "match:end", 60_000), waitFor<MatchEnd>(b.socket, "match:end", 60_000)]);
  ends.catch(() => undefined);
  await a.send("match:ready", { matchId: fa.matchId });
  await b.send("match:ready", { matchId: fb.matchId });
  const [sa, sb] = await started;
  const seats = (sa.seat === 0 ? [a, b] : [b, a]) as [Player, Player];
  const starts = (sa.seat === 0 ? [sa, sb] : [sb, sa]) as [MatchStart, MatchStart];
  const ordered = ends.then(([ea, eb]) => (sa.seat === 0 ? [ea, eb] : [eb, ea]) as [MatchEnd, MatchEnd]);
  ordered.catch(() => undefined);
  return { matchId: fa.matchId, seats, starts, ends: ordered };
}

/** Reads one histogram's sample count from a node's /metrics. */
export async function histogramCount(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) if (line.startsWith(`${name}_count`)) total += Number(line.split(" ").pop());
  return total;
}

/** Seat 0 (`x`) wins a tictactoe match in five moves (0, 3, 1, 4, 2): every move must be taken. */
export async function winTictactoe(matchId: string, x: Player, o: Player, firstSeq = 0): Promise<void> {
  let seq = firstSeq;
  for (const [player, cell] of [
    [x, 0],
    [o, 3],
    [x, 1],
    [o, 4],
    [x, 2],
  ] as const) {
    const answer = await player.send("game:input", { matchId, seq: ++seq, input: { cell } });
    if (!answer.ok) throw new Error(`move ${cell} of ${player.name} refused: ${JSON.stringify(answer)}`);
  }
}
