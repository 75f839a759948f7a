/** Every error code a client can receive in an ack or a `connect_error` (PROTOCOL.md, Errors). */
export const ErrorCode = {
  UNAUTHORIZED: "UNAUTHORIZED",
  BAD_REQUEST: "BAD_REQUEST",
  ALREADY_QUEUED: "ALREADY_QUEUED",
  ALREADY_IN_MATCH: "ALREADY_IN_MATCH",
  NOT_QUEUED: "NOT_QUEUED",
  UNKNOWN_MATCH: "UNKNOWN_MATCH",
  NOT_IN_MATCH: "NOT_IN_MATCH",
  UNKNOWN_PLAYER: "UNKNOWN_PLAYER",
  UNKNOWN_CODE: "UNKNOWN_CODE",
  FULL: "FULL",
  NOT_YOUR_TURN: "NOT_YOUR_TURN",
  ILLEGAL_MOVE: "ILLEGAL_MOVE",
  RATE_LIMITED: "RATE_LIMITED",
  UNAVAILABLE: "UNAVAILABLE",
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The `error` member of a failed ack, and of an HTTP error body. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** A coded error: thrown inside handlers, answered as `{ ok: false, error }`. */
export class ArenaError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArenaError";
    this.code = code;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

const codes = new Set<string>(Object.values(ErrorCode));

/** True when `value` is one of the protocol's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && codes.has(value);
}
