import type { ServerEventName } from "../protocol/index.ts";
import type { ArenaSocket } from "./types.ts";

/** Matches per connection whose end is remembered, to hand each end once. */
const REMEMBERED_ENDS = 8;

/** A local player's place in the matchmaking, as this node told it: enough to rebuild it if the store forgets. */
export interface PlayerPlace {
  ticket?: { ticketId: string; mode: string; enqueuedAt: number; latencies?: Record<string, number> };
  readyCheck?: string;
}

/**
 * The places of this node's players, kept by the code that puts them there: the queue handlers
 * (joined, left) and the player channel, as it hands a player the matchmaking's events.
 */
export class PlayerPlaces {
  private readonly places = new WeakMap<ArenaSocket, PlayerPlace>();
  /** The last few matches whose end each connection was handed (newest last). */
  private readonly ended = new WeakMap<ArenaSocket, string[]>();

  of(socket: ArenaSocket): PlayerPlace | undefined {
    return this.places.get(socket);
  }

  queued(socket: ArenaSocket, ticket: NonNullable<PlayerPlace["ticket"]>): void {
    this.place(socket).ticket = ticket;
  }

  left(socket: ArenaSocket): void {
    this.places.delete(socket);
  }

  /**
   * True when the player must not be handed this event: a second `match:end` of the same match (a
   * host that died right after telling its players is not sure it did, so the node that takes its
   * matches tells them again; an end told while Redis was unreachable is told again once recorded),
   * or news of a match whose end they were already told (a resumption from a session's record that
   * the end had not reached yet).
   */
  stale(socket: ArenaSocket, event: ServerEventName, payload: { matchId?: string }): boolean {
    if (event !== "match:end" && event !== "match:found" && event !== "match:start" && event !== "match:resumed") return false;
    if (payload.matchId === undefined) return event === "match:end";
    return this.ended.get(socket)?.includes(payload.matchId) ?? false;
  }

  /** The player is handed this event (not stale): notes where it puts them. */
  delivered(socket: ArenaSocket, event: ServerEventName, payload: { matchId?: string; requeued?: boolean }): void {
    switch (event) {
      case "match:end": {
        // A repeated end can come after the player played another match (the node that took the
        // dead host's matches tells them after the lease lapsed), so a few are remembered.
        if (payload.matchId === undefined) return;
        let ended = this.ended.get(socket);
        if (!ended) this.ended.set(socket, (ended = []));
        ended.push(payload.matchId);
        if (ended.length > REMEMBERED_ENDS) ended.shift();
        return;
      }
      case "match:found":
        this.place(socket).readyCheck = payload.matchId;
        return;
      case "match:cancelled": {
        const place = this.places.get(socket);
        if (!place) return;
        delete place.readyCheck;
        if (!payload.requeued) delete place.ticket;
        return;
      }
      case "match:start":
      case "match:resumed":
        this.places.delete(socket);
        return;
      default:
        return;
    }
  }

  private place(socket: ArenaSocket): PlayerPlace {
    let place = this.places.get(socket);
    if (!place) this.places.set(socket, (place = {}));
    return place;
  }
}
