import {
  ArenaError,
  CLIENT_EVENTS,
  ErrorCode,
  clientEventSchemas,
  describeIssues,
  type AckData,
  type AnsweredEventName,
  type ClientEventName,
  type ClientEventPayload,
  type ErrorBody,
  type GameInputPayload,
  type StateAckPayload,
} from "../../protocol/index.ts";
import type { Logger } from "../logger.ts";
import { cachedChild } from "../../game-rooms/index.ts";
import type { ServerMetrics } from "../metrics.ts";
import type { TokenBucket } from "./rate-limit.ts";
import type { ArenaSocket } from "./types.ts";

/** What a handler knows of the player who sent the event. */
export interface PlayerContext {
  socket: ArenaSocket;
  playerId: string;
  name: string;
  game: string;
  log: Logger;
}

export type EventHandler<E extends AnsweredEventName> = (payload: ClientEventPayload<E>, ctx: PlayerContext) => Promise<AckData<E>> | AckData<E>;
/** Every answered event but `game:input`, which has its own path (`InputHandler`). */
export type EventHandlers = { [E in Exclude<AnsweredEventName, "game:input">]: EventHandler<E> };

/**
 * `game:input`, queued for the next tick with callbacks rather than promises: `applied` gets the
 * tick that applied it and `refused` a refusal that comes later, when the client asked for an
 * answer. Throws a refusal known at once.
 */
export type InputHandler = (payload: GameInputPayload, ctx: PlayerContext, applied?: (tick: number) => void, refused?: (error: unknown) => void) => void;

/** `state:ack` is handled at once, never answered; undefined when the payload was malformed. */
export type StateAckHandler = (payload: StateAckPayload | undefined, ctx: PlayerContext) => void;

/** A `state:ack` costs a quarter of a token: 30 a second take 7.5 of a player's budget; a flood still runs out. */
const STATE_ACK_COST = 0.25;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `game:input`'s envelope, checked as its schema would (the schema stays the contract; this is the
 * fast path). The id of the match the connection plays is known good: no pattern to test.
 */
function asGameInput(payload: unknown, playing: string | undefined): GameInputPayload | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const { matchId, seq, input } = payload as { matchId?: unknown; seq?: unknown; input?: unknown };
  if (typeof matchId !== "string" || (matchId !== playing && !ID.test(matchId))) return undefined;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { matchId, seq, input };
}

const isTick = (tick: unknown): tick is number => typeof tick === "number" && Number.isSafeInteger(tick) && tick >= 0;

/** `state:ack`'s payload, checked as its schema would: `{ matchId, tick }` or compact `[ref, tick]`. */
function asStateAck(payload: unknown): StateAckPayload | undefined {
  if (Array.isArray(payload)) {
    const [ref, tick] = payload as unknown[];
    return payload.length === 2 && isTick(ref) && ref <= 2 ** 31 && isTick(tick) ? [ref, tick] : undefined;
  }
  if (typeof payload !== "object" || payload === null) return undefined;
  const { matchId, tick } = payload as { matchId?: unknown; tick?: unknown };
  if (typeof matchId !== "string" || !ID.test(matchId)) return undefined;
  if (!isTick(tick)) return undefined;
  return { matchId, tick };
}

const known = new Set<string>(CLIENT_EVENTS);

/** An event's payload checked against its schema, typed by the event's name. */
function parsePayload<E extends ClientEventName>(name: E, payload: unknown) {
  return clientEventSchemas[name].safeParse(payload);
}

/** One cached child per game, event and outcome, shared by every socket of a server. */
type Count = (...values: string[]) => { inc(): void };
const eventCounters = new WeakMap<ServerMetrics, Count>();
function eventCounter(metrics: ServerMetrics): Count {
  let counter = eventCounters.get(metrics);
  if (!counter) eventCounters.set(metrics, (counter = cachedChild<{ inc(): void }>(metrics.events)));
  return counter;
}

function takeAck(args: unknown[]): ((answer: unknown) => void) | undefined {
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as (answer: unknown) => void) : undefined;
}

function failure(error: ErrorBody) {
  return { ok: false as const, error };
}

/**
 * Events one socket may have waiting or running at once (they run one at a time): while the store
 * is slow, a client cannot pile up work; beyond this an event is answered `RATE_LIMITED` at once.
 */
export const MAX_IN_FLIGHT = 16;

/** What every socket of a namespace shares: made once per namespace, not per connection. */
export interface BindOptions {
  handlers: EventHandlers;
  stateAck: StateAckHandler;
  input: InputHandler;
  metrics: ServerMetrics;
  /** A reason to refuse this event right now (new work while draining), or undefined. */
  refusal: (event: ClientEventName) => ErrorBody | undefined;
}

/**
 * Binds every client event of one socket: rate limit, payload validation at the edge, one event
 * at a time per socket (so a player's events apply in the order sent; inputs are ordered by their
 * seq instead), and always an answer. `bucket` is the player's event budget (shared by their
 * connections: reconnecting does not refill it); events wait for `after` (the connect hook).
 */
export function bindEvents(ctx: PlayerContext, options: BindOptions, bucket: TokenBucket, after: Promise<void>): void {
  const events = new SocketEvents(ctx, options, bucket, after);
  // One middleware per socket does everything (no listener per event): it sees every packet first.
  ctx.socket.use((packet) => events.packet(packet));
}

/**
 * One socket's events. A class, not closures: its state is one object a connection, where a
 * closure per step would each cost a context and a function (and, under tsx, a named property).
 */
class SocketEvents {
  private tail: Promise<void>;
  private inFlight = 0;
  private connected = false;
  private readonly counted: Count;
  /** The most frequent outcome, looked up once. */
  private readonly inputOk: { inc(): void };

  constructor(
    private readonly ctx: PlayerContext,
    private readonly options: BindOptions,
    private readonly bucket: TokenBucket,
    private readonly after: Promise<void>,
  ) {
    this.tail = after;
    this.counted = eventCounter(options.metrics);
    this.inputOk = this.counted(ctx.game, "game:input", "ok");
    void after.then(() => {
      this.connected = true;
    });
  }

  packet(packet: unknown[]): void {
    const { ctx, options, bucket } = this;
    const { socket, log, game, playerId } = ctx;
    const [event] = packet;
    // The state stream's acknowledgements: the most frequent event, checked by hand, never answered.
    if (event === "state:ack") {
      const verdict = bucket.take(STATE_ACK_COST);
      if (verdict === "ok") options.stateAck(asStateAck(packet[1]), ctx);
      else {
        // Counted as dropped, so that every ack received is taken or dropped (the exact counters).
        options.stateAck(undefined, ctx);
        options.metrics.rateLimited.inc({ game });
        if (verdict === "abuse") socket.disconnect(true);
      }
      return;
    }
    const ack = takeAck(packet);
    const verdict = bucket.take();
    if (verdict !== "ok") {
      options.metrics.rateLimited.inc({ game });
      ack?.(failure({ code: ErrorCode.RATE_LIMITED, message: "too many events; slow down" }));
      if (verdict === "abuse") {
        log.warn({ game, playerId }, "disconnecting a player who kept flooding past the rate limit");
        socket.disconnect(true);
      }
      return;
    }
    if (typeof event !== "string" || !known.has(event)) {
      ack?.(failure({ code: ErrorCode.BAD_REQUEST, message: "unknown event" }));
      return;
    }
    const name = event as AnsweredEventName;
    const refusal = options.refusal(name);
    if (refusal) {
      ack?.(failure(refusal));
      return;
    }
    const payload = typeof packet[1] === "function" ? undefined : packet[1];
    // Inputs are the next most frequent: their envelope is checked by hand (the game checks the
    // input itself); they carry their own order (seq) and wait for the next tick, so they must not
    // hold up the socket's other events. Everything else applies one at a time, in the order sent.
    if (name === "game:input") return this.input(name, payload, ack);
    const parsed = parsePayload(name, payload);
    if (!parsed.success) return this.answer(name, ack, failure({ code: ErrorCode.BAD_REQUEST, message: describeIssues(parsed.error) }), ErrorCode.BAD_REQUEST);
    if (this.inFlight >= MAX_IN_FLIGHT) {
      options.metrics.rateLimited.inc({ game });
      return this.answer(
        name,
        ack,
        failure({ code: ErrorCode.RATE_LIMITED, message: "too many events waiting for an answer; wait for them" }),
        ErrorCode.RATE_LIMITED,
      );
    }
    this.inFlight++;
    const data = parsed.data as ClientEventPayload<typeof name>;
    this.tail = this.tail.then(() => this.run(name, data, ack)).finally(() => this.inFlight--);
  }

  private input(name: "game:input", payload: unknown, ack: ((value: unknown) => void) | undefined): void {
    const { ctx } = this;
    const input = asGameInput(payload, ctx.socket.data.playing);
    if (!input)
      return this.answer(
        name,
        ack,
        failure({ code: ErrorCode.BAD_REQUEST, message: "game:input takes { matchId, seq: integer >= 0, input }" }),
        ErrorCode.BAD_REQUEST,
      );
    if (this.connected) this.queueInput(input, ack);
    else void this.after.then(() => this.queueInput(input, ack));
  }

  /** An input with its answer as two callbacks, no promise: one closure each, only when answered. */
  private queueInput(input: GameInputPayload, ack: ((value: unknown) => void) | undefined): void {
    const name = "game:input";
    try {
      const applied = ack && ((tick: number) => this.answer(name, ack, { ok: true, tick }, "ok"));
      this.options.input(input, this.ctx, applied, ack && ((error) => this.fail(name, ack, error)));
      // Fire and forget: no answer; the outcome is only counted.
      if (!ack) this.inputOk.inc();
    } catch (error) {
      this.fail(name, ack, error);
    }
  }

  private answer(name: AnsweredEventName, ack: ((value: unknown) => void) | undefined, value: unknown, outcome: string): void {
    this.counted(this.ctx.game, name, outcome).inc();
    ack?.(value);
  }

  /** A refusal (ArenaError) answered with its code; anything else is logged and answered `INTERNAL`. */
  private fail(name: AnsweredEventName, ack: ((value: unknown) => void) | undefined, error: unknown): void {
    const { ctx } = this;
    if (error instanceof ArenaError) return this.answer(name, ack, failure(error.toBody()), error.code);
    ctx.log.error({ err: error, event: name, game: ctx.game, playerId: ctx.playerId }, "event handler failed");
    this.answer(name, ack, failure({ code: ErrorCode.INTERNAL, message: "internal error" }), ErrorCode.INTERNAL);
  }

  private async run<E extends Exclude<AnsweredEventName, "game:input">>(
    name: E,
    payload: ClientEventPayload<E>,
    ack: ((value: unknown) => void) | undefined,
  ): Promise<void> {
    try {
      const handler: EventHandler<E> = this.options.handlers[name];
      const data = await handler(payload, this.ctx);
      this.answer(name, ack, ack && { ok: true, ...(data as object) }, "ok");
    } catch (error) {
      this.fail(name, ack, error);
    }
  }
}
