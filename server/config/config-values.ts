import { isIP } from "node:net";
import { plainAddress } from "../edge/client-address.ts";

/*
 * Readers of one environment variable each: unset or empty gives the default; anything else must
 * parse, or a ConfigError names the variable and what it accepts.
 */

/** A bad environment variable: the message names it and what it accepts. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly accepts: string,
    readonly got: string,
  ) {
    super(`${variable}=${JSON.stringify(got)} is not valid: ${variable} accepts ${accepts}`);
    this.name = "ConfigError";
  }
}

/** The environment a configuration is read from. */
export type Env = Record<string, string | undefined>;

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

export function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(name, `a number from ${min} to ${max}`, raw);
  }
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const lower = raw.toLowerCase();
  if (["1", "true", "yes", "on"].includes(lower)) return true;
  if (["0", "false", "no", "off"].includes(lower)) return false;
  throw new ConfigError(name, "true or false", raw);
}

export function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(name, `one of ${choices.join(", ")}`, raw);
  return raw as T;
}

export function addresses(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return [];
  const list = raw.split(",").map((a) => a.trim());
  if (!list.every((a) => isIP(a) !== 0)) throw new ConfigError(name, "comma-separated IP addresses of your proxies", raw);
  return list.map(plainAddress);
}

export function optionalClaim<K extends string>(env: Env, name: string, key: K): { [P in K]?: string } {
  const raw = env[name];
  if (raw === undefined || raw === "") return {};
  if (raw.length > 256 || /\s/.test(raw)) throw new ConfigError(name, "up to 256 characters without spaces", raw);
  return { [key]: raw } as { [P in K]?: string };
}
