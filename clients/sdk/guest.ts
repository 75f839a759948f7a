import { ErrorCode, type ErrorBody, type GuestToken } from "../../protocol/index.ts";
import { ArenaClientError } from "./errors.ts";

/** Fetches a guest token from `POST /v1/guest` (works in Node 18+ and browsers). */
export async function fetchGuestToken(url: string, name?: string): Promise<GuestToken> {
  const response = await fetch(new URL("/v1/guest", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(name === undefined ? {} : { name }),
  });
  const body = (await response.json()) as GuestToken | { error: ErrorBody };
  if (!response.ok || "error" in body) {
    const error = "error" in body ? body.error : { code: ErrorCode.BAD_REQUEST, message: `HTTP ${response.status}` };
    throw ArenaClientError.from(error);
  }
  return body;
}
