import type { ClientEventName, ErrorBody } from "../../protocol/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { TokenService } from "./auth.ts";
import { bindEvents, type EventHandlers, type InputHandler, type PlayerContext, type StateAckHandler } from "./event-handlers.ts";
import type { Logger } from "../logger.ts";
import type { ServerMetrics } from "../metrics.ts";
import { playerAuth } from "./player-auth.ts";
import type { ConnectionRate } from "./connection-rate.ts";
import type { PlayerBudgets } from "./player-budgets.ts";
import type { SessionTakeover } from "./session-takeover.ts";
import type { SocketPlayerChannel } from "../delivery/player-channel.ts";
import type { ArenaNamespace } from "./types.ts";

/** What a game's namespace does with its players: the event handlers and the connection hooks. */
export interface GameService {
  handlers: EventHandlers;
  stateAck: StateAckHandler;
  input: InputHandler;
  /** Called once the socket holds the player's session (any older one was told to go). */
  connected(ctx: PlayerContext): Promise<void>;
  /** Called when the socket is gone, whatever the reason. */
  disconnected(ctx: PlayerContext, reason: string): Promise<void>;
}

export interface NamespaceDeps {
  tokens: TokenService;
  log: Logger;
  metrics: ServerMetrics;
  /** Each player's event budget on this node, shared by their connections. */
  eventBudgets: PlayerBudgets;
  /** How often a player may connect. */
  connections: ConnectionRate;
  draining: () => boolean;
  refusal: (event: ClientEventName) => ErrorBody | undefined;
  sessions: SessionTakeover;
  /** Knows each player's live connection on this node. */
  channel: SocketPlayerChannel;
}

/**
 * Opens `/<game>`: handshake auth, one live connection per player (a newer one takes over,
 * on any node), and the game's event handlers.
 */
export function openGameNamespace(nsp: ArenaNamespace, service: GameService, deps: NamespaceDeps): ArenaNamespace {
  const game = nsp.name.slice(1);
  nsp.use(playerAuth(game, deps.tokens, deps.log, deps.metrics, deps.draining));
  nsp.use((socket, next) => {
    if (deps.connections.allow(game, socket.data.playerId)) return next();
    deps.metrics.rateLimited.inc({ game });
    deps.log.warn({ game, playerId: socket.data.playerId }, "connection refused: the player connects too often");
    next(Object.assign(new Error("rate limited"), { data: { code: ErrorCode.RATE_LIMITED } }));
  });
  nsp.use((socket, next) => {
    deps.sessions.nextGeneration().then(
      (generation) => {
        socket.data.generation = generation;
        next();
      },
      (error: unknown) => {
        deps.log.warn({ err: error, game }, "cannot start a session: store unreachable");
        next(Object.assign(new Error("unavailable"), { data: { code: ErrorCode.UNAVAILABLE } }));
      },
    );
  });
  deps.sessions.watch(game, nsp);
  const events = { handlers: service.handlers, stateAck: service.stateAck, input: service.input, metrics: deps.metrics, refusal: deps.refusal };
  nsp.on("connection", (socket) => {
    const { playerId, name } = socket.data;
    // One shared logger with the player's fields per line: a child logger per connection costs memory.
    const log = deps.log;
    const ctx: PlayerContext = { socket, playerId, name, game, log };
    if (!deps.sessions.takeOver(nsp, socket)) return;
    deps.channel.register(socket);
    deps.metrics.connections.inc({ game });
    log.info({ game, playerId, sid: socket.id, transport: socket.conn.transport.name }, "player connected");
    const ready = service.connected(ctx).catch((error: unknown) => log.error({ err: error, game, playerId }, "connect hook failed"));
    bindEvents(ctx, events, deps.eventBudgets.bucket(game, playerId), ready);
    socket.on("disconnect", (reason) => {
      deps.channel.unregister(socket);
      deps.metrics.connections.dec({ game });
      log.info({ game, playerId, sid: socket.id, reason }, "player disconnected");
      void ready.then(() => service.disconnected(ctx, reason)).catch((error: unknown) => log.error({ err: error, game, playerId }, "disconnect hook failed"));
    });
  });
  return nsp;
}
