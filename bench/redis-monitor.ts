import { connect, type Socket } from "node:net";

/** One command as MONITOR lists it: its words (the command first), and who ran it ("lua" for a script's own). */
export interface Monitored {
  args: string[];
  source: string;
}

/**
 * Redis's MONITOR on a plain socket. ioredis's `monitor()` can take the first lines that arrive with
 * MONITOR's own `+OK` for replies to a command and fail ("Command queue state error") when the
 * server is busy as it starts; here every line after `+OK` is a command, whenever it comes.
 */
export class RedisMonitor {
  private buffered = "";
  private started = false;

  private constructor(
    private readonly socket: Socket,
    private readonly onCommand: (command: Monitored) => void,
  ) {}

  /** Starts watching the Redis at `port`; resolves once MONITOR answered. */
  static start(port: number, onCommand: (command: Monitored) => void, onError: (error: Error) => void): Promise<RedisMonitor> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" });
      const monitor = new RedisMonitor(socket, onCommand);
      socket.setEncoding("utf8");
      socket.once("connect", () => socket.write("MONITOR\r\n"));
      socket.on("error", (error) => (monitor.started ? onError(error) : reject(error)));
      socket.on("data", (chunk: string) => {
        if (monitor.read(chunk) && !monitor.started) {
          monitor.started = true;
          resolve(monitor);
        }
      });
    });
  }

  /** Takes a chunk in; answers whether MONITOR's `+OK` has come. */
  private read(chunk: string): boolean {
    this.buffered += chunk;
    let end = this.buffered.indexOf("\r\n");
    let ok = this.started;
    while (end >= 0) {
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 2);
      end = this.buffered.indexOf("\r\n");
      if (line === "+OK" && !ok) ok = true;
      else if (ok && line.startsWith("+")) {
        const parsed = parseLine(line.slice(1));
        if (parsed) this.onCommand(parsed);
      }
    }
    return ok;
  }

  stop(): void {
    this.socket.destroy();
  }
}

/** `1796654077.932511 [0 127.0.0.1:53994] "info" "x"` (or `[0 lua]`) into its source and quoted words. */
function parseLine(line: string): Monitored | undefined {
  const open = line.indexOf("[");
  const close = line.indexOf("]", open);
  if (open < 0 || close < 0) return undefined;
  const source = line.slice(open + 1, close).split(" ")[1] ?? "";
  const args: string[] = [];
  const words = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = words.exec(line.slice(close + 1)); m; m = words.exec(line.slice(close + 1))) args.push(m[1]!);
  return args.length > 0 ? { args, source } : undefined;
}
