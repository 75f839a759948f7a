import type { ServerEventName } from "../protocol/index.ts";
import type { Logger } from "./logger.ts";
import type { ArenaSocket } from "./types.ts";

/** Events that put a player in a match. */
const ENTERS = new Set<ServerEventName>(["match:found", "match:start", "match:resumed"]);
/** Events that take a player out of one. */
const LEAVES = new Set<ServerEventName>(["match:end", "match:cancelled"]);

/** How long the next match's events wait for the previous match's end before going anyway. */
export const END_WAIT_MS = 3000;
/** How long the end of a match this connection was never told of waits for the news of it. */
export const NEWS_WAIT_MS = 1000;
/** Matches remembered per connection as told of. */
const REMEMBERED = 8;

type Emit = (socket: ArenaSocket, event: ServerEventName, payload: unknown) => void;

/** Events held for a connection until `until` (an event of that kind about that match) comes. */
interface Held {
  events: [ServerEventName, unknown][];
  until: { kinds: ReadonlySet<ServerEventName>; matchId: string };
  timer: NodeJS.Timeout;
}

const matchOf = (payload: unknown) => (payload as { matchId?: unknown } | undefined)?.matchId;

/**
 * Hands each player the events about their matches in causal order: a match's news before its end,
 * and its end (or cancellation) before anything about the next. They travel different paths (an
 * end from the host through the relay, a pairing from whichever node matched them, a cancellation
 * from the node whose player left), so one can overtake another by a few milliseconds. What came
 * early waits, in order, until what it follows has been handed over: the next match's news up to
 * `END_WAIT_MS`, the end of a match never told of up to `NEWS_WAIT_MS` (it may have been told to
 * an earlier connection). Then it goes anyway, and a missing end is logged.
 */
export class CausalOrder {
  /** The match each connection was last put in and not yet told the end of. */
  private readonly current = new WeakMap<ArenaSocket, string>();
  /** The last matches each connection was told of. */
  private readonly known = new WeakMap<ArenaSocket, string[]>();
  private readonly held = new WeakMap<ArenaSocket, Held>();

  constructor(
    private readonly emit: Emit,
    private readonly log: Logger | undefined,
    private readonly endWaitMs = END_WAIT_MS,
    private readonly newsWaitMs = NEWS_WAIT_MS,
  ) {}

  deliver(socket: ArenaSocket, event: ServerEventName, payload: unknown): void {
    const matchId = matchOf(payload);
    const held = this.held.get(socket);
    if (held) {
      held.events.push([event, payload]);
      if (held.until.kinds.has(event) && matchId === held.until.matchId) this.release(socket);
      return;
    }
    const current = this.current.get(socket);
    if (ENTERS.has(event) && current !== undefined && matchId !== current) {
      this.hold(socket, [event, payload], LEAVES, current, this.endWaitMs, () => {
        this.log?.warn(
          { game: socket.data.game, playerId: socket.data.playerId, matchId: current },
          "the end of a player's match did not come; telling them of the next one",
        );
        this.current.delete(socket);
      });
      return;
    }
    if (LEAVES.has(event) && typeof matchId === "string" && matchId !== current && !this.known.get(socket)?.includes(matchId)) {
      this.hold(socket, [event, payload], ENTERS, matchId, this.newsWaitMs, () => this.remember(socket, matchId));
      return;
    }
    this.pass(socket, event, payload, matchId);
  }

  private hold(
    socket: ArenaSocket,
    first: [ServerEventName, unknown],
    kinds: ReadonlySet<ServerEventName>,
    matchId: string,
    waitMs: number,
    expired: () => void,
  ): void {
    const timer = setTimeout(() => {
      expired();
      this.release(socket);
    }, waitMs);
    timer.unref();
    this.held.set(socket, { events: [first], until: { kinds, matchId }, timer });
  }

  private remember(socket: ArenaSocket, matchId: string): void {
    let known = this.known.get(socket);
    if (!known) this.known.set(socket, (known = []));
    if (known.includes(matchId)) return;
    known.push(matchId);
    if (known.length > REMEMBERED) known.shift();
  }

  private pass(socket: ArenaSocket, event: ServerEventName, payload: unknown, matchId: unknown): void {
    if (ENTERS.has(event) && typeof matchId === "string") {
      this.current.set(socket, matchId);
      this.remember(socket, matchId);
    } else if (LEAVES.has(event) && matchId === this.current.get(socket)) this.current.delete(socket);
    this.emit(socket, event, payload);
  }

  /**
   * Hands over what waited, awaited event first: the end that was waited for, or the news an early
   * end waited for, then the rest in the order it came (some may wait again).
   */
  private release(socket: ArenaSocket): void {
    const held = this.held.get(socket);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(socket);
    const at = held.events.findIndex(([event, payload]) => held.until.kinds.has(event) && matchOf(payload) === held.until.matchId);
    const events = at < 0 ? held.events : [held.events[at]!, ...held.events.filter((_, i) => i !== at)];
    for (const [event, payload] of events) this.deliver(socket, event, payload);
  }
}
