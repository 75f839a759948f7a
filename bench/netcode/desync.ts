import { ArenaClientError, connect, fetchGuestToken, type ArenaClient } from "../../clients/sdk/index.ts";
import pong from "../../game-rooms/games/pong/index.ts";

export interface DesyncRun {
  /** What the server answered the refused input. */
  refusal: string;
  /** How far the drawn paddle had run ahead of the server's when the refusal came (field heights). */
  errorAtRefusal: number;
  /** From the refusal until the drawn paddle stays within 0.001 of the server's (ms). */
  convergedMs: number;
  smoothingMs: number;
}

type Pong = ArenaClient<{ input: { dir: -1 | 0 | 1 }; view: { paddles: [number, number] } }>;

/**
 * A forced desync: a predicting client (through `url`, the shaping proxy) spends its event budget
 * (the node runs with a small one) with a burst of requests and moves its paddle with an input
 * right behind them, which the server refuses (`RATE_LIMITED`). The prediction moved the paddle at once; the refusal rolls it back. Frames are
 * sampled every 16 ms (as a page draws) from the input until the drawn paddle is back at the
 * server's, which never moved.
 */
export async function runDesync(options: { url: string; directUrl: string; smoothingMs?: number }): Promise<DesyncRun> {
  const smoothingMs = options.smoothingMs ?? 150;
  const [me, still] = await Promise.all([fetchGuestToken(options.directUrl, "Desync"), fetchGuestToken(options.directUrl, "Still")]);
  const client = connect({ url: options.url, game: pong, token: me.token, autoReady: true, netcode: { prediction: { smoothingMs } } }) as unknown as Pong;
  const opponent = connect({ url: options.directUrl, game: "pong", token: still.token, autoReady: true });
  try {
    await Promise.all([client.connected(), opponent.connected()]);
    const started = new Promise<void>((resolve) => client.on("start", () => resolve()));
    await client.queue({ latencies: false });
    await opponent.queue({ latencies: false });
    await started;
    await new Promise<void>((resolve) => {
      let n = 0;
      const off = client.on("state", () => ++n >= 60 && (off(), resolve()));
    });
    const seat = client.seat!;
    const server = () => client.lastState!.state.paddles[seat];
    const dir = server() < 0.5 ? 1 : -1;
    const samples: { at: number; drawn: number }[] = [];
    const sampler = setInterval(() => samples.push({ at: performance.now(), drawn: client.frame()!.view.paddles[seat] }), 16);
    let refusedAt = 0;
    let refusal = "applied";
    let errorAtRefusal = 0;
    // The budget spent by a burst of requests, sent with the input behind them: the server reaches the input with none left.
    const burst = Array.from({ length: 40 }, () => client.stats().catch(() => undefined));
    try {
      await client.input({ dir });
    } catch (error) {
      refusedAt = performance.now();
      refusal = (error as ArenaClientError).code;
      errorAtRefusal = Math.abs(client.frame()!.view.paddles[seat] - server());
    }
    await Promise.all(burst);
    // Half a second of frames after the refusal.
    await new Promise<void>((resolve) => {
      const off = client.on("state", () => performance.now() - refusedAt > 500 && (off(), resolve()));
    });
    clearInterval(sampler);
    const truth = server();
    const lastOff = [...samples].reverse().find((s) => s.at >= refusedAt && Math.abs(s.drawn - truth) >= 0.001);
    return { refusal, errorAtRefusal: +errorAtRefusal.toFixed(4), convergedMs: lastOff ? Math.round(lastOff.at - refusedAt + 16) : 0, smoothingMs };
  } finally {
    await client.forfeit().catch(() => undefined);
    client.close();
    opponent.close();
  }
}
