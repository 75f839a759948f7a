import { createHash } from "node:crypto";

/**
 * The headers of the browser page and its script: a Content-Security-Policy that allows what the
 * page needs and nothing more (its own script, its one inline style block by hash, connections to
 * this origin and to the other nodes' public URLs, where the SDK plays and measures latency; no
 * framing), and `X-Content-Type-Options: nosniff`.
 */
export function pageHeaders(html: string, nodeUrls: readonly string[]): Record<string, string> {
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash("sha256").update(m[1]!).digest("base64")}'`);
  const origins = new Set<string>();
  for (const url of nodeUrls) {
    if (!URL.canParse(url)) continue;
    const { protocol, host, origin } = new URL(url);
    if (protocol !== "http:" && protocol !== "https:") continue;
    origins.add(origin).add(`${protocol === "https:" ? "wss:" : "ws:"}//${host}`);
  }
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    ["style-src 'self'", ...styles].join(" "),
    ["connect-src 'self'", ...origins].join(" "),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { "content-security-policy": policy, "x-content-type-options": "nosniff" };
}
