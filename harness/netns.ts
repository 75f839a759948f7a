import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { FaultProxy } from "./fault-proxy.ts";
import { waitForPort } from "./private-redis.ts";

/** One host of a topology: a network namespace joined to this one by a veth pair. */
export interface NetHost {
  /** The namespace's name (`ip netns exec <name>`). */
  name: string;
  /** Its address, reachable from this namespace. */
  ip: string;
  /** This namespace's end of the pair: how a process in the host reaches a proxy here. */
  gateway: string;
}

/** A one-way delay between two places: a proxy in this namespace, in the middle of the path. */
export interface Link {
  proxy: FaultProxy;
  /** The address a process in `from` connects to (`host:port`). */
  from: (scheme: string) => string;
}

function run(args: string[]): { ok: boolean; error: string } {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.error) return { ok: false, error: result.error.message };
  return { ok: result.status === 0, error: (result.stderr ?? "").trim() };
}

function must(args: string[]): void {
  const { ok, error } = run(args);
  if (!ok) throw new Error(`ip ${args.join(" ")}: ${error}`);
}

/** Namespaces this harness made (`arena-<pid>-...`) whose process is gone: a killed test run leaves them. */
function removeStale(): void {
  const list = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const name of list.split("\n").map((line) => line.split(" ")[0] ?? "")) {
    const pid = /^arena-(\d+)-/.exec(name)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      run(["netns", "del", name]);
    }
  }
}

/**
 * Hosts in network namespaces on this machine, each with its own address and network stack, joined
 * to this namespace by a veth pair (10.<b>.<i>.2 in the host, 10.<b>.<i>.1 here). Latency between
 * two places is a proxy here in the middle of the path (`link`): this machine's kernel has no
 * `sch_netem`, so `tc netem` cannot delay packets; the proxy delays each chunk, both ways, keeping
 * TCP's order. Needs root.
 */
export class NetTopology {
  private readonly children = new Set<ChildProcess>();
  private readonly links: FaultProxy[] = [];

  private constructor(private readonly hosts: Map<string, NetHost>) {}

  /** Why topologies cannot be made here (undefined when they can). */
  static unavailable(): string | undefined {
    if (process.platform !== "linux") return "network namespaces are Linux only";
    if (process.getuid?.() !== 0) return "creating network namespaces needs root";
    const probe = `arena-${process.pid}-probe`;
    const made = run(["netns", "add", probe]);
    if (!made.ok) return `ip netns add failed: ${made.error}`;
    run(["netns", "del", probe]);
    return undefined;
  }

  /** Makes one namespace per name. */
  static async create(names: string[]): Promise<NetTopology> {
    removeStale();
    // A second octet per process, so that topologies of concurrent test files never share a subnet.
    const b = 100 + (process.pid % 150);
    const hosts = new Map<string, NetHost>();
    const topology = new NetTopology(hosts);
    try {
      names.forEach((host, i) => {
        const name = `arena-${process.pid}-${host}`;
        const outside = `ar${process.pid % 100000}o${i}`;
        const inside = `ar${process.pid % 100000}i${i}`;
        const [gateway, ip] = [`10.${b}.${i + 1}.1`, `10.${b}.${i + 1}.2`];
        must(["netns", "add", name]);
        hosts.set(host, { name, ip, gateway });
        must(["link", "add", outside, "type", "veth", "peer", "name", inside]);
        must(["link", "set", inside, "netns", name]);
        must(["addr", "add", `${gateway}/24`, "dev", outside]);
        must(["link", "set", outside, "up"]);
        must(["-n", name, "addr", "add", `${ip}/24`, "dev", inside]);
        must(["-n", name, "link", "set", inside, "up"]);
        must(["-n", name, "link", "set", "lo", "up"]);
      });
    } catch (error) {
      await topology.destroy();
      throw error;
    }
    return topology;
  }

  host(name: string): NetHost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} in this topology`);
    return host;
  }

  /** A private redis-server (no persistence) in `host`, on port 6379 there; open to the other namespaces of this machine. */
  async redis(host: string): Promise<{ host: string; port: number }> {
    const { name, ip } = this.host(host);
    const child = spawn(
      "ip",
      ["netns", "exec", name, "redis-server", "--port", "6379", "--bind", ip, "--save", "", "--appendonly", "no", "--protected-mode", "no"],
      {
        stdio: "ignore",
      },
    );
    this.children.add(child);
    await waitForPort(6379, child, ip);
    return { host: ip, port: 6379 };
  }

  /**
   * A path from `from` (a host's name, or `here` for this namespace) to `to`, delayed by
   * `latencyMs` each way (plus up to `jitterMs`). Several `to`: a load balancer in front of them,
   * each connection going to the first that accepts it.
   */
  async link(from: string, to: { host: string; port: number } | { host: string; port: number }[], latencyMs: number, jitterMs = 0): Promise<Link> {
    const proxy = await FaultProxy.start(to, "0.0.0.0");
    proxy.shape({ latencyMs, jitterMs });
    this.links.push(proxy);
    const address = from === "here" ? "127.0.0.1" : this.host(from).gateway;
    return { proxy, from: (scheme) => proxy.url(scheme, address) };
  }

  /** Stops what it started here and deletes the namespaces (their veth pairs go with them). */
  async destroy(): Promise<void> {
    await Promise.all(this.links.splice(0).map((proxy) => proxy.close()));
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    this.children.clear();
    for (const { name } of this.hosts.values()) run(["netns", "del", name]);
    this.hosts.clear();
  }
}
