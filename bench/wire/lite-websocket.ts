import { randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { connect, type Socket } from "node:net";

const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const OP_CONTINUATION = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

/**
 * A WebSocket client on a bare TCP socket, for load generation: the upgrade request written by
 * hand, server frames (never masked) cut straight out of each chunk read, and every outgoing frame
 * one buffer and one write, with an all-zero mask (RFC 6455 requires the mask bit, not a random key;
 * a zero key leaves the payload as it is). Several messages can go out in one write.
 */
export class LiteWebSocket {
  private readonly socket: Socket;
  private pending: Buffer | undefined;
  private fragments: Buffer[] = [];
  private upgraded = false;
  closed = false;

  private constructor(
    host: string,
    port: number,
    private readonly onMessage: (text: string) => void,
    private readonly onClose: () => void,
  ) {
    // Reads land in one buffer shared by every connection and bypass the stream machinery; what
    // is left of a partial frame is copied out before the next read reuses it.
    this.socket = connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n, buf) => this.onBytes((buf as Buffer).subarray(0, n)) } });
  }

  private onBytes(chunk: Buffer): boolean {
    if (this.upgraded) this.read(chunk);
    else this.onUpgradeBytes?.(chunk);
    return true;
  }

  private onUpgradeBytes: ((chunk: Buffer) => void) | undefined;

  /** Opens `ws://host:port/path` and resolves once the server has accepted the upgrade. */
  static open(url: string, onMessage: (text: string) => void, onClose: () => void): Promise<LiteWebSocket> {
    const { hostname, port, pathname, search } = new URL(url);
    const ws = new LiteWebSocket(hostname, Number(port), onMessage, onClose);
    return new Promise((resolve, reject) => {
      ws.socket.once("connect", () => {
        ws.socket.write(
          `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      ws.onUpgradeBytes = (chunk) => {
        // Until the upgrade is answered, `pending` holds the HTTP response read so far.
        const buffered = ws.pending ? Buffer.concat([ws.pending, chunk]) : chunk;
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return void (ws.pending = Buffer.from(buffered));
        ws.pending = undefined;
        const head = buffered.toString("latin1", 0, end);
        if (!/^HTTP\/1\.1 101/.test(head)) {
          ws.socket.destroy();
          return reject(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
        }
        ws.upgraded = true;
        resolve(ws);
        // Frames that came with the upgrade answer wait until the caller holds the socket.
        const rest = buffered.subarray(end + 4);
        if (rest.length) ws.pending = Buffer.from(rest);
        setImmediate(() => ws.read(Buffer.alloc(0)));
      };
      ws.socket.on("error", (error) => (ws.upgraded ? undefined : reject(error)));
      ws.socket.on("close", () => {
        if (!ws.upgraded) reject(new Error("closed before the upgrade"));
        if (ws.closed) return;
        ws.closed = true;
        ws.onClose();
      });
    });
  }

  /** Sends text messages in one write. */
  send(...messages: string[]): void {
    if (this.closed) return;
    this.write(messages.length === 1 ? frame(OP_TEXT, messages[0]!) : Buffer.concat(messages.map((m) => frame(OP_TEXT, m))));
  }

  /**
   * One write(2) straight on the socket's descriptor when nothing is queued in the stream (the
   * stream's own path costs more JavaScript than the system call); the stream takes whatever the
   * kernel did not, and everything after it until it drains.
   */
  private write(data: Buffer): void {
    const fd = (this.socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    if (fd === undefined || fd < 0 || this.socket.writableLength > 0) return void this.socket.write(data);
    let written = 0;
    try {
      written = writeSync(fd, data);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return void this.socket.destroy(error as Error);
    }
    if (written < data.length) this.socket.write(data.subarray(written));
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    while (data.length - at >= 2) {
      const first = data[at]!;
      let length = data[at + 1]! & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (data.length < start + length) break;
      this.frame(first & 0x80, first & 0x0f, data, start, start + length);
      at = start + length;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private frame(fin: number, opcode: number, data: Buffer, start: number, end: number): void {
    if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONTINUATION) {
      if (!fin) return void this.fragments.push(Buffer.from(data.subarray(start, end)));
      if (this.fragments.length) {
        const whole = Buffer.concat([...this.fragments.splice(0), data.subarray(start, end)]);
        return this.onMessage(whole.toString("latin1"));
      }
      return this.onMessage(data.toString("latin1", start, end));
    }
    if (opcode === OP_PING) return void this.socket.write(frame(OP_PONG, data.subarray(start, end)));
    if (opcode === OP_CLOSE) this.terminate();
  }
}

/** One client frame: FIN, opcode, the mask bit with a zero key, the payload. */
function frame(opcode: number, payload: string | Buffer): Buffer {
  const length = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  const header = length < 126 ? 6 : length < 65536 ? 8 : 14;
  const out = Buffer.allocUnsafe(header + length);
  out[0] = 0x80 | opcode;
  if (length < 126) out[1] = 0x80 | length;
  else if (length < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  out.writeUInt32BE(0, header - 4);
  if (typeof payload === "string") out.write(payload, header, "utf8");
  else payload.copy(out, header);
  return out;
}
