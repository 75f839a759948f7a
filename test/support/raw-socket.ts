import WebSocket from "ws";

/** A raw Engine.IO/Socket.IO v4 connection, to send frames no well-behaved client would. */
export class RawSocket {
  readonly received: string[] = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => this.received.push(isBinary ? "<binary>" : data.toString()));
    ws.on("close", () => (this.closed = true));
    ws.on("error", () => (this.closed = true));
  }

  /** Opens the Engine.IO WebSocket (no namespace yet). */
  static open(url: string): Promise<RawSocket> {
    const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new RawSocket(ws)));
      ws.once("error", reject);
    });
  }

  /** Joins a namespace with a token (Socket.IO CONNECT) and waits for the answer. */
  async join(namespace: string, token: string): Promise<string> {
    this.send(`40${namespace},${JSON.stringify({ token })}`);
    return this.waitFor((frame) => frame.startsWith(`40${namespace},`) || frame.startsWith(`44${namespace},`));
  }

  send(frame: string | Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  waitFor(match: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.find(match);
        if (found) return resolve(found);
        if (Date.now() > deadline) return reject(new Error(`no matching frame in ${JSON.stringify(this.received.slice(-5))}`));
        setTimeout(check, 10);
      };
      check();
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
