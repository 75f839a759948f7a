import type { ErrorBody, ErrorCode } from "../../protocol/index.ts";

/** An error answered by the server in an ack, carrying the protocol's code. */
export class ArenaClientError extends Error {
  readonly code: ErrorCode | "TIMEOUT" | "DISCONNECTED";

  constructor(code: ErrorCode | "TIMEOUT" | "DISCONNECTED", message: string) {
    super(message);
    this.name = "ArenaClientError";
    this.code = code;
  }

  static from(body: ErrorBody): ArenaClientError {
    return new ArenaClientError(body.code, body.message);
  }
}
