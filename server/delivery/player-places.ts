import type { PlayerEvent } from "../../protocol/index.ts";
import type { ArenaSocket } from "../edge/types.ts";

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

  of(socket: ArenaSocket): PlayerPlace | undefined {
    return this.places.get(socket);
  }

  queued(socket: ArenaSocket, ticket: NonNullable<PlayerPlace["ticket"]>): void {
    this.place(socket).ticket = ticket;
  }

  left(socket: ArenaSocket): void {
    this.places.delete(socket);
  }

  /** The player is handed this event: notes where it puts them. */
  delivered(socket: ArenaSocket, sent: PlayerEvent): void {
    switch (sent.event) {
      case "match:found":
        this.place(socket).readyCheck = sent.payload.matchId;
        return;
      case "match:cancelled": {
        const place = this.places.get(socket);
        if (!place) return;
        delete place.readyCheck;
        if (!sent.payload.requeued) delete place.ticket;
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
