import type { ServerEventName } from "../protocol/index.ts";
import type { Logger } from "./logger.ts";
import type { ArenaSocket } from "./types.ts";

/** Events that put a player in a match. */
const ENTERS = new Set<ServerEventName>(["match:found", "match:start", "match:resumed"]);
/** Events that take a player out of one. */
const LEAVES = new Set<ServerEventName>(["match:end", "match:cancelled"]);

/** How long the next match's events wait for the previous match's end before going anyway. */
export const END_WAIT_MS = 3000;

type Emit = (socket: ArenaSocket, event: ServerEventName, payload: unknown) => void;

/**
 * Hands each player the events about their matches in causal order: the end (or cancellation) of
 * the match they are in before anything about the next. The two travel different paths (the end
 * from the host, through the relay; the next pairing from whichever node matched them), so the next
 * match's events can come first by a few milliseconds: they wait, in order, until the end has been
 * handed over, or `END_WAIT_MS` has passed (then it is logged, and they go).
 */
export class CausalOrder {
  /** The match each connection was last put in and not yet told the end of. */
  private readonly current = new WeakMap<ArenaSocket, string>();
  private readonly held = new WeakMap<ArenaSocket, { events: [ServerEventName, unknown][]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly emit: Emit,
    private readonly log: Logger | undefined,
    private readonly waitMs = END_WAIT_MS,
  ) {}

  deliver(socket: ArenaSocket, event: ServerEventName, payload: unknown): void {
    const matchId = (payload as { matchId?: unknown } | undefined)?.matchId;
    const current = this.current.get(socket);
    const held = this.held.get(socket);
    if (held) {
      if (LEAVES.has(event) && matchId === current) {
        this.pass(socket, event, payload, matchId);
        this.release(socket);
      } else held.events.push([event, payload]);
      return;
    }
    if (ENTERS.has(event) && current !== undefined && matchId !== current) {
      const timer = setTimeout(() => {
        this.log?.warn(
          { game: socket.data.game, playerId: socket.data.playerId, matchId: current },
          "the end of a player's match did not come; telling them of the next one",
        );
        this.current.delete(socket);
        this.release(socket);
      }, this.waitMs);
      timer.unref();
      this.held.set(socket, { events: [[event, payload]], timer });
      return;
    }
    this.pass(socket, event, payload, matchId);
  }

  private pass(socket: ArenaSocket, event: ServerEventName, payload: unknown, matchId: unknown): void {
    if (ENTERS.has(event) && typeof matchId === "string") this.current.set(socket, matchId);
    else if (LEAVES.has(event) && matchId === this.current.get(socket)) this.current.delete(socket);
    this.emit(socket, event, payload);
  }

  /** Hands over what waited, in order (some may wait again, behind another match). */
  private release(socket: ArenaSocket): void {
    const held = this.held.get(socket);
    if (!held) return;
    clearTimeout(held.timer);
    this.held.delete(socket);
    for (const [event, payload] of held.events) this.deliver(socket, event, payload);
  }
}
