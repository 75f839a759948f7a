/**
 * Just enough of Engine.IO v4 and Socket.IO v5 framing for a load generator, over one WebSocket:
 * outgoing packets are built as strings, incoming ones are only split into their parts (namespace,
 * ack id, event name) so that the caller decides what it must parse.
 *
 *   Engine.IO: "0" open, "2" ping (answer "3"), "4" message (a Socket.IO packet follows).
 *   Socket.IO: "0" CONNECT, "2" EVENT, "3" ACK, "4" CONNECT_ERROR; then "/nsp," then the ack id.
 */

export const EIO_OPEN = 48; // "0"
export const EIO_PING = 50; // "2"
export const EIO_MESSAGE = 52; // "4"
export const SIO_CONNECT = 48;
export const SIO_EVENT = 50;
export const SIO_ACK = 51;
export const SIO_CONNECT_ERROR = 52;

/** The WebSocket URL of a Socket.IO server at `httpUrl`. */
export function socketUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
}

/** `40/nsp,{auth}`: joins a namespace with the handshake's auth. */
export function connectPacket(nsp: string, auth: object): string {
  return `40/${nsp},${JSON.stringify(auth)}`;
}

/** `42/nsp,<id>["event",payload]`; without an id the event takes no ack. */
export function eventPacket(nsp: string, event: string, payload: unknown, ackId?: number): string {
  return `42/${nsp},${ackId ?? ""}${JSON.stringify([event, payload])}`;
}

/** The parts of a Socket.IO packet inside an Engine.IO message, without parsing its data. */
export interface Packet {
  type: number;
  /** -1 when the packet carries no ack id. */
  ackId: number;
  /** Index in the frame where the JSON data starts (or frame.length when there is none). */
  dataAt: number;
}

/** Splits `4<type>[/nsp,][id]<data>`; returns undefined for anything that is not a Socket.IO packet. */
export function splitPacket(frame: string): Packet | undefined {
  if (frame.charCodeAt(0) !== EIO_MESSAGE) return undefined;
  const type = frame.charCodeAt(1);
  let i = 2;
  if (frame.charCodeAt(i) === 47 /* / */) {
    const comma = frame.indexOf(",", i);
    if (comma < 0) return { type, ackId: -1, dataAt: frame.length };
    i = comma + 1;
  }
  let ackId = -1;
  for (let c = frame.charCodeAt(i); c >= 48 && c <= 57; c = frame.charCodeAt(++i)) ackId = (ackId < 0 ? 0 : ackId * 10) + (c - 48);
  return { type, ackId, dataAt: i };
}

/** The event name of an EVENT packet whose data starts at `at` (`["name",...`), without parsing the rest. */
export function eventName(frame: string, at: number): string {
  const end = frame.indexOf('"', at + 2);
  return end < 0 ? "" : frame.slice(at + 2, end);
}

/** Reads the number that follows `key` (e.g. `"tick":`) from `from` on; NaN when absent. */
export function numberAfter(frame: string, key: string, from = 0): number {
  const at = frame.indexOf(key, from);
  if (at < 0) return NaN;
  let end = at + key.length;
  for (let c = frame.charCodeAt(end); (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 101 || c === 43; c = frame.charCodeAt(++end));
  return Number(frame.slice(at + key.length, end));
}
