import type { Socket } from "socket.io";

/** The parts of socket.io 4.8's Socket that an acknowledged, pre-encoded emit needs. */
interface SocketInternals {
  nsp: { name: string; _ids: number };
  acks: Map<number, (...args: unknown[]) => void>;
  client: { _packet(packets: string[], opts: { preEncoded: boolean }): void };
  connected: boolean;
}

const usable = (socket: unknown): socket is SocketInternals => {
  const s = socket as Partial<SocketInternals>;
  return typeof s.nsp?._ids === "number" && s.acks instanceof Map && typeof s.client?._packet === "function";
};

/**
 * Emits `state` with an acknowledgement from JSON encoded once per tick for both seats. It does
 * what `socket.emit(event, payload, ack)` does (an ack id from the namespace, the callback in the
 * socket's ack map, one EVENT packet) without encoding and scanning the payload for each seat.
 * It relies on socket.io 4.8's internals and falls back to `emit` if they change.
 */
export function emitEncodedWithAck(socket: Socket, event: string, payload: unknown, encodedData: string, ack: (...args: unknown[]) => void): void {
  const inner: unknown = socket;
  if (!usable(inner)) {
    (inner as { emit(event: string, payload: unknown, ack: (...args: unknown[]) => void): void }).emit(event, payload, ack);
    return;
  }
  if (!inner.connected) return;
  const id = inner.nsp._ids++;
  inner.acks.set(id, ack);
  // Socket.IO packet: type 2 (EVENT), namespace, ack id, then the JSON array [event, payload]
  inner.client._packet([`2${inner.nsp.name === "/" ? "" : `${inner.nsp.name},`}${id}${encodedData}`], { preEncoded: true });
}
