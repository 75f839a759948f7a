import { isErrorCode, type ErrorBody, type ErrorCode } from "../../protocol/index.ts";

/** The SDK's own codes, beside the protocol's: no answer in time, or no connection. */
export const ClientErrorCode = { TIMEOUT: "TIMEOUT", DISCONNECTED: "DISCONNECTED" } as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An error answered by the server in an ack, carrying the protocol's code, or one of the SDK's own. */
export class ArenaClientError extends Error {
  readonly code: ErrorCode | ClientErrorCode;

  constructor(code: ErrorCode | ClientErrorCode, message: string) {
    super(message);
    this.name = "ArenaClientError";
    this.code = code;
  }

  static from(body: ErrorBody): ArenaClientError {
    return new ArenaClientError(body.code, body.message);
  }

  /** A connection refused with a protocol code (`connect_error`'s `data.code`), else DISCONNECTED. */
  static refused(code: unknown, message: string): ArenaClientError {
    return new ArenaClientError(isErrorCode(code) ? code : ClientErrorCode.DISCONNECTED, message);
  }
}
