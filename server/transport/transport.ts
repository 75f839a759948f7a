import type { EngineName } from "../config/config.ts";
import type { HttpRequest, HttpResponse } from "../http/http-routes.ts";

/** Answers a plain HTTP request (everything that is not the Socket.IO endpoint). */
export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse>;

/** A listening engine: the HTTP port with Socket.IO attached to it. */
export interface Transport {
  readonly engine: EngineName;
  /** Starts listening; resolves with the port actually bound (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting connections and closes the port (Socket.IO itself is closed by the caller). */
  close(): Promise<void>;
}
