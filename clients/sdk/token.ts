/** The expiry of a JWT (`exp`, epoch ms), read without checking its signature; undefined when it has none. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The connection's token, refreshed through the application's callback: shortly before it expires
 * (a minute before, or halfway for a short-lived one) and when the server refuses it. The next
 * (re)connection uses the new one.
 */
export class TokenKeeper {
  /** Set while the application is asked for a new token. */
  refreshing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    public value: string,
    private readonly refreshToken: (() => string | Promise<string>) | undefined,
    /** The server's clock (tokens expire on it). */
    private readonly now: () => number,
  ) {}

  /** Whether a refused token can be replaced now. */
  get canRefresh(): boolean {
    return this.refreshToken !== undefined && this.refreshing === undefined && !this.closed;
  }

  refresh(): Promise<void> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return Promise.resolve();
    const run = async () => {
      try {
        this.value = await refreshToken();
      } catch {
        // the application could not: the old token stays, and the server says whether it still works
      }
    };
    this.refreshing ??= run().finally(() => {
      this.refreshing = undefined;
      this.schedule();
    });
    return this.refreshing;
  }

  /** Sets the timer of the next refresh (none without a callback or an `exp`). */
  schedule(): void {
    clearTimeout(this.timer);
    const expiry = tokenExpiry(this.value);
    if (!this.refreshToken || expiry === undefined || this.closed) return;
    const left = expiry - this.now();
    this.timer = setTimeout(() => void this.refresh(), Math.max(1000, Math.min(left - 60_000, left / 2)));
    (this.timer as { unref?: () => void }).unref?.();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
