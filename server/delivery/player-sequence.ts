import type { PlayerEvent, PlayerId } from "../../protocol/index.ts";
import type { Logger } from "../logger.ts";
import type { ArenaSocket } from "../edge/types.ts";

/**
 * How long after its stamp an event may still be travelling: the relay keeps messages for a node
 * whose subscription is down up to 10 s, and a host hands a match over before it sends the start.
 * A missing number the store stamped longer ago than this will not come.
 */
export const GAP_MS = 12_000;
/** How soon a gap is asked about again when the store cannot be reached. */
const RETRY_MS = 1000;

type Emit = (socket: ArenaSocket, sent: PlayerEvent) => void;
/** How long ago the store stamped each of the player's numbers kept between `after` and `before` (exclusive). */
export type StampAges = (game: string, playerId: PlayerId, after: number, before: number) => Promise<number[]>;

/** One connection's place in its player's sequence. */
interface Line {
  /** The last number handed over; undefined until the session's opening says where the connection starts. */
  last: number | undefined;
  /** Numbered events that came before one they follow, by number. */
  waiting: Map<number, PlayerEvent>;
  /**
   * The match whose end was handed over last: an end told before it was recorded, then again with
   * its number, goes once, and later news of that match is not handed over.
   */
  ended?: string;
  /** A question to the store about the gap is on its way, or waits for its time. */
  asking: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * A line with nothing waiting (most of them, most of the time) shares this Map: no Map per
 * connection. Never written to: `deliver` gives a line a Map of its own before its first `set`.
 */
const NONE_WAITING = new Map<number, PlayerEvent>();

/**
 * Hands each connection the events about its player's place in the order the store stamped them
 * (lua/prelude.lua's `stamp`). They come from whichever node changed the place (the matcher, the
 * leaver's node, the host, an adopting node), so one can overtake another; one that comes early
 * waits for the numbers before it. A missing number is asked about: the store knows when it was
 * stamped, so once it is older than any event can travel (`GAP_MS`), or forgotten, the gap is gone
 * and what waited goes. A number already handed over is a repeat (an end told again by the node
 * that took a dead host's matches): dropped. A connection starts after the last number stamped
 * when its session opened: earlier events were its predecessor's.
 */
export class PlayerSequence {
  private readonly lines = new WeakMap<ArenaSocket, Line>();

  constructor(
    private readonly emit: Emit,
    private readonly stampAges: StampAges,
    private readonly log: Logger | undefined,
    private readonly gapMs = GAP_MS,
  ) {}

  /**
   * The connection starts after `seq`: the player's last number when its session opened (again,
   * when the store lost its data and numbering began anew). Undefined when the store could not
   * say: it starts at the next event that comes.
   */
  startAfter(socket: ArenaSocket, seq: number | undefined): void {
    const line = this.lineOf(socket);
    if (seq === undefined) {
      if (line.last === undefined && line.waiting.size) line.last = Math.min(...line.waiting.keys()) - 1;
      else line.last ??= Number.NaN;
    } else line.last = seq;
    this.drain(socket, line);
  }

  /** An event for the connection: numbered ones in order, each once; others as they come. */
  deliver(socket: ArenaSocket, sent: PlayerEvent, seq?: number): void {
    const line = this.lineOf(socket);
    if (seq === undefined) return this.handOver(socket, line, sent);
    if (Number.isNaN(line.last)) line.last = seq - 1;
    if (line.last !== undefined && seq <= line.last) return;
    if (line.waiting === NONE_WAITING) line.waiting = new Map();
    line.waiting.set(seq, sent);
    this.drain(socket, line);
  }

  private lineOf(socket: ArenaSocket): Line {
    let line = this.lines.get(socket);
    if (!line) this.lines.set(socket, (line = { last: undefined, waiting: NONE_WAITING, asking: false }));
    return line;
  }

  private drain(socket: ArenaSocket, line: Line): void {
    if (line.last === undefined || Number.isNaN(line.last)) return;
    for (const seq of line.waiting.keys()) if (seq <= line.last) line.waiting.delete(seq);
    for (let next = line.waiting.get(line.last + 1); next; next = line.waiting.get(line.last + 1)) {
      line.waiting.delete(++line.last);
      this.handOver(socket, line, next);
    }
    if (line.waiting.size === 0) {
      line.waiting = NONE_WAITING;
      clearTimeout(line.timer);
      line.timer = undefined;
      line.asking = false;
    } else if (!line.asking) this.ask(socket, line);
  }

  /** Asks the store about the numbers missing before the first waiting event. */
  private ask(socket: ArenaSocket, line: Line): void {
    line.asking = true;
    const { game, playerId } = socket.data;
    const after = line.last!;
    const before = Math.min(...line.waiting.keys());
    this.stampAges(game, playerId, after, before).then(
      (ages) => {
        if (!this.stillAsking(socket, line)) return;
        const youngest = Math.min(...ages);
        if (youngest < this.gapMs) return this.askAgain(socket, line, this.gapMs - youngest);
        this.log?.warn(
          { game, playerId, missing: [after + 1, before - 1], waiting: line.waiting.size },
          "events about a player's place never came (stamped too long ago); handing over what followed them",
        );
        // Only what was missing when asked, and short of what came since (handed over in order).
        if (line.last === after) line.last = Math.min(before, ...line.waiting.keys()) - 1;
        line.asking = false;
        this.drain(socket, line);
      },
      (error: unknown) => {
        if (!this.stillAsking(socket, line)) return;
        this.log?.warn({ err: error, game, playerId }, "could not ask the store about a player's missing events; asking again");
        this.askAgain(socket, line, RETRY_MS);
      },
    );
  }

  /** The answer still matters: the connection is there and events still wait (else the line is done with). */
  private stillAsking(socket: ArenaSocket, line: Line): boolean {
    if (socket.connected && line.waiting.size) return true;
    line.asking = false;
    line.waiting.clear();
    return false;
  }

  private askAgain(socket: ArenaSocket, line: Line, inMs: number): void {
    line.timer = setTimeout(() => {
      line.timer = undefined;
      if (this.stillAsking(socket, line)) this.ask(socket, line);
    }, inMs);
    line.timer.unref();
  }

  private handOver(socket: ArenaSocket, line: Line, sent: PlayerEvent): void {
    if (sent.event === "match:end") {
      if (line.ended === sent.payload.matchId) return;
      line.ended = sent.payload.matchId;
    } else if ((sent.event === "match:found" || sent.event === "match:start" || sent.event === "match:resumed") && sent.payload.matchId === line.ended) {
      // News of a match whose end the player was told: the end stands. (An end told while the store
      // was unreachable can be refused later, when another node adopted the match: it goes on
      // there without this player, who is told no second end.)
      return;
    }
    this.emit(socket, sent);
  }
}
