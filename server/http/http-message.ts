import type { ErrorBody } from "../../protocol/index.ts";

/** An HTTP request as the routes see it, whichever engine (uws or ws) received it. */
export interface HttpRequest {
  method: string;
  path: string;
  /** The query string, without the `?`. */
  query: string;
  body: Buffer;
  /** The peer's address, as the engine reports it. */
  peer: string;
  /** The `X-Forwarded-For` header, when there is one (trusted only from `TRUST_PROXY` peers). */
  forwardedFor?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/** A JSON answer. */
export function json(status: number, value: unknown): HttpResponse {
  return { status, headers: JSON_TYPE, body: JSON.stringify(value) };
}

/** A coded error answer: `{ error: { code, message } }`. */
export function httpError(status: number, error: ErrorBody): HttpResponse {
  return json(status, { error });
}
