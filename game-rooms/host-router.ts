import { randomUUID } from "node:crypto";
import type { PlayerChannel } from "../matchmaker/index.ts";
import type { NodeRelay, RelayMessage } from "./node-relay.ts";
import type { Logger } from "pino";
import { ArenaError, ErrorCode, isErrorCode, type PlayerId } from "../protocol/index.ts";
import type { MatchStore } from "../matchmaker/index.ts";
import type { RoomHost } from "./room-host.ts";

/** What a node knows of a match hosted elsewhere. */
export interface KnownMatch {
  game: string;
  host: string;
  players: PlayerId[];
  at: number;
}

/** A match whose states this node relays to its players there. */
interface Relayed {
  game: string;
  host: string;
  players: Set<PlayerId>;
  at: number;
  /** The store is being asked whether another node hosts it now. */
  checking?: boolean;
}

interface Pending {
  matchId: string;
  resolve: (answer: { tick: number; data?: unknown }) => void;
  reject: (error: ArenaError) => void;
  at: number;
}

type Request = { op: "input" | "leave" | "spectate"; game: string; matchId: string; playerId: string; seq?: number; input?: unknown };

export interface HostRouterOptions {
  node: string;
  store: Pick<MatchStore, "getMatch">;
  relay: NodeRelay;
  channel: PlayerChannel;
  /** The rooms hosted here, which answer the other nodes' messages. */
  host: RoomHost;
  requestTimeoutMs: number;
  log: Logger;
  /** Adopts a match a draining host (`from`) handed to this node. */
  takeOver?: (game: string, matchId: string, from: string) => Promise<void>;
}

/**
 * Routing between a player's node and their match's host, over the relay (one hop each way):
 * requests with an answer (inputs, leave), and one-way messages (acks, attach, detach). On the
 * player's side it relays the host's states to the players here; on the host's side it hands the
 * other nodes' messages to the rooms.
 */
export class HostRouter {
  /** Matches hosted elsewhere, as the store described them (never from a relayed message). */
  private readonly known = new Map<string, KnownMatch>();
  /** Matches whose states this node relays to its players: the host they come from. */
  private readonly relaying = new Map<string, Relayed>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: HostRouterOptions) {
    options.relay.onMessage((message) => this.onRelay(message));
  }

  /** The remote host of a match the player is in; throws the error the player should get. */
  async locate(game: string, matchId: string, playerId: PlayerId): Promise<KnownMatch> {
    let known = this.known.get(matchId);
    if (!known) {
      const match = await this.options.store.getMatch(game, matchId);
      if (!match || match.state !== "playing" || !match.host) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no running match with that id");
      known = { game, host: match.host, players: match.players.map((p) => p.playerId), at: Date.now() };
      if (known.host !== this.options.node) this.known.set(matchId, known);
    }
    if (known.game !== game) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "no running match with that id");
    if (!known.players.includes(playerId)) throw new ArenaError(ErrorCode.NOT_IN_MATCH, "you are not playing this match");
    if (known.host === this.options.node) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "the match is over");
    return known;
  }

  /** A match whose states this node relays to the player: where their acks go. */
  relayedHost(game: string, matchId: string, playerId: PlayerId): string | undefined {
    const relayed = this.relaying.get(matchId);
    return relayed && relayed.game === game && relayed.players.has(playerId) ? relayed.host : undefined;
  }

  /** Asks the host to apply a request; resolves with the tick it answers. */
  async request(host: string, body: Request): Promise<number> {
    return (await this.ask(host, body)).tick;
  }

  /** Asks the host; resolves with its answer (the tick, and data for a spectator). */
  ask(host: string, body: Request): Promise<{ tick: number; data?: unknown }> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { matchId: body.matchId, resolve, reject, at: Date.now() });
      this.options.relay.send(host, { t: "req", id, from: this.options.node, ...body });
    });
  }

  /** One-way messages to a host. */
  send(host: string, message: Extract<RelayMessage, { t: "host" | "ack" | "attach" | "detach" | "unspectate" }>): void {
    this.options.relay.send(host, message);
  }

  /** Fails requests the host did not answer in time, and forgets matches not heard of for long. */
  expire(): void {
    const cutoff = Date.now() - this.options.requestTimeoutMs;
    for (const [id, pending] of this.pending) {
      if (pending.at >= cutoff) continue;
      this.pending.delete(id);
      // The host may be dead and its match adopted: the next request asks the store again.
      this.known.delete(pending.matchId);
      pending.reject(new ArenaError(ErrorCode.UNAVAILABLE, "the match's host did not answer; try again"));
    }
    const stale = Date.now() - 10 * 60_000;
    for (const [id, known] of this.known) if (known.at < stale) this.known.delete(id);
    for (const [id, relayed] of this.relaying) if (relayed.at < stale) this.relaying.delete(id);
  }

  /** Fails every request still waiting. */
  stop(): void {
    for (const [id, pending] of this.pending) {
      pending.reject(new ArenaError(ErrorCode.UNAVAILABLE, "node stopping"));
      this.pending.delete(id);
    }
  }

  private onRelay(message: RelayMessage): void {
    const { host } = this.options;
    switch (message.t) {
      case "host":
        return void this.adopt(message.game, message.matchId).catch((error: unknown) =>
          this.options.log.error({ err: error, game: message.game, matchId: message.matchId }, "could not host a match handed over"),
        );
      case "adopt":
        return void this.options
          .takeOver?.(message.game, message.matchId, message.from)
          .catch((error: unknown) =>
            this.options.log.error(
              { err: error, game: message.game, matchId: message.matchId, from: message.from },
              "could not adopt a match handed over by a draining node",
            ),
          );
      case "req":
        return void this.answer(message);
      case "res": {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.ok) return pending.resolve(message);
        if (message.code === ErrorCode.UNKNOWN_MATCH) this.known.delete(pending.matchId);
        return pending.reject(new ArenaError(isErrorCode(message.code) ? message.code : ErrorCode.INTERNAL, message.message));
      }
      case "state": {
        // This node serves these players of a match hosted elsewhere: their acks go back there.
        if (!this.fromHost(message)) return;
        const state = { matchId: message.matchId, tick: message.tick, state: message.state, inputSeq: message.inputSeq };
        this.options.channel.statesHere(message.game, message.players, state, message.own === true);
        return;
      }
      case "ack": {
        const room = host.getForAck(message.matchId);
        if (room) room.acknowledge(message.playerId, message.tick);
        else host.stream.counters.stateAcksDropped++;
        return;
      }
      case "attach": {
        const room = host.getForAck(message.matchId);
        if (room && !room.ended) host.reconnected(room, message.playerId, message.node);
        return;
      }
      case "detach": {
        const room = host.getForAck(message.matchId);
        if (room && !room.ended) room.disconnected(message.playerId);
        return;
      }
      case "unspectate": {
        const room = host.getForAck(message.matchId);
        if (room) host.unspectate(room, message.playerId);
        return;
      }
      case "spec": {
        // The host's state or end for this node's spectators of a match.
        const group = this.options.channel.spectators(message.game, message.matchId);
        group.send(message.event, message.payload);
        if (message.event === "match:end") group.close();
        return;
      }
    }
  }

  /**
   * Whether a relayed state comes from the match's host. States of a match come from one host; one
   * from another node means the match was adopted (its host died or stalled), or it comes from a
   * stale host that has not noticed yet. The store decides (one read, not per state): until it
   * answers, and for good from a stale host, such states are dropped (fencing on the receiving side).
   */
  private fromHost(message: Extract<RelayMessage, { t: "state" }>): boolean {
    const { matchId, from, game } = message;
    let relayed = this.relaying.get(matchId);
    if (!relayed) {
      this.relaying.set(matchId, (relayed = { game, host: from, players: new Set(message.players), at: Date.now() }));
      return true;
    }
    relayed.at = Date.now();
    if (relayed.host === from) {
      for (const playerId of message.players) relayed.players.add(playerId);
      return true;
    }
    if (relayed.checking) return false;
    relayed.checking = true;
    const entry = relayed;
    this.options.store
      .getMatch(game, matchId)
      .then((match) => {
        if (!match || match.host !== from) {
          this.options.log.warn({ game, matchId, from, host: match?.host }, "states dropped: they come from a node that no longer hosts the match");
          return;
        }
        entry.host = from;
        entry.players = new Set(message.players);
        this.known.delete(matchId);
        this.options.log.info({ game, matchId, host: from, node: this.options.node }, "relaying the states of a match from its new host");
      })
      .catch(() => undefined)
      // A stale host's states are not looked up again for a second.
      .finally(() => setTimeout(() => (entry.checking = false), 1000).unref());
    return false;
  }

  /** Hosts a match another node handed over (it completed the ready check; this node was chosen at pairing). */
  private async adopt(game: string, matchId: string): Promise<void> {
    const match = await this.options.store.getMatch(game, matchId);
    if (!match || match.state !== "playing" || match.host !== this.options.node || this.options.host.get(game, matchId)) return;
    await this.options.host.host(match);
  }

  private async answer(req: Extract<RelayMessage, { t: "req" }>): Promise<void> {
    const room = this.options.host.get(req.game, req.matchId);
    try {
      if (!room) throw new ArenaError(ErrorCode.UNKNOWN_MATCH, "the match is over");
      let tick = room.tick;
      let data: unknown;
      if (req.op === "input") tick = await room.enqueueInput(req.playerId, req.seq ?? -1, req.input);
      else if (req.op === "spectate") data = this.options.host.spectate(room, req.playerId, req.from);
      else room.forfeit(req.playerId);
      this.options.relay.send(req.from, { t: "res", id: req.id, ok: true, tick, ...(data === undefined ? {} : { data }) });
    } catch (error) {
      const coded = error instanceof ArenaError ? error : new ArenaError(ErrorCode.INTERNAL, "internal error");
      this.options.relay.send(req.from, { t: "res", id: req.id, ok: false, code: coded.code, message: coded.message });
    }
  }
}
