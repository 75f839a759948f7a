import type { ExtendedError } from "socket.io";
import { ErrorCode } from "../../protocol/index.ts";
import { TokenError, type TokenService } from "./auth.ts";
import type { Logger } from "../logger.ts";
import type { ServerMetrics } from "../metrics.ts";
import type { ArenaSocket } from "./types.ts";

function refused(message: string, code: ErrorCode): ExtendedError {
  const error = new Error(message) as ExtendedError;
  error.data = { code };
  return error;
}

/** The state encodings a connection may ask for with `auth.encoding` (PROTOCOL.md, Compact state). */
const ENCODINGS = new Set<unknown>(["json", "compact"]);

/**
 * Handshake middleware: verifies `auth.token` and puts the player's identity and the encoding its
 * states go in on `socket.data`. Every refused token looks the same to the client
 * (`unauthorized`); the log says why. An encoding the server does not know is `bad_request`.
 */
export function playerAuth(game: string, tokens: TokenService, log: Logger, metrics: ServerMetrics, draining: () => boolean) {
  return (socket: ArenaSocket, next: (error?: ExtendedError) => void): void => {
    if (draining()) {
      next(refused("unavailable", ErrorCode.UNAVAILABLE));
      return;
    }
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const encoding = auth?.encoding ?? "json";
    if (!ENCODINGS.has(encoding)) {
      next(refused('bad_request: auth.encoding is "json" or "compact"', ErrorCode.BAD_REQUEST));
      return;
    }
    tokens.verify(auth?.token).then(
      (identity) => {
        socket.data.playerId = identity.playerId;
        socket.data.name = identity.name;
        socket.data.game = game;
        socket.data.encoding = encoding === "compact" ? "compact" : "json";
        // The bearer token is not kept for the connection's life (Socket.IO keeps the handshake): a
        // few hundred bytes a connection, and nothing for the admin UI to show.
        if (auth) delete auth.token;
        next();
      },
      (error: unknown) => {
        const fault = error instanceof TokenError ? error.fault : "malformed";
        metrics.authFailures.inc({ fault });
        log.info({ game, fault, address: socket.handshake.address }, "handshake refused");
        next(refused("unauthorized", ErrorCode.UNAUTHORIZED));
      },
    );
  };
}
