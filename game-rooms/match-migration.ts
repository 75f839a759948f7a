import type { Logger } from "pino";
import type { PlayerChannel } from "../matchmaker/index.ts";
import type { LapsedMatch, MatchSnapshotEntry, MatchStore } from "../matchmaker/index.ts";
import type { Room } from "./room.ts";
import type { RoomHost } from "./room-host.ts";
import { entryOf } from "./room-setup.ts";

export interface MatchMigrationOptions {
  node: string;
  store: Pick<MatchStore, "saveSnapshots" | "adoptMatch">;
  channel: PlayerChannel;
  host: RoomHost;
  log: Logger;
  leaseMs: number;
  /** How often each running match's snapshot is written (ms). */
  snapshotMs: number;
}

/** A round is cut into at most this many slices, each at least this far apart (ms). */
const MAX_SLICES = 10;
const MIN_SLICE_MS = 100;

/** Adds a snapshot to its game's list (one store call per game). */
function addTo(byGame: Map<string, MatchSnapshotEntry[]>, game: string, entry: MatchSnapshotEntry): void {
  const list = byGame.get(game);
  if (list) list.push(entry);
  else byGame.set(game, [entry]);
}

/**
 * Matches outlive their host: the host writes each running match's snapshot to the store (once a
 * second, and once at its start); when a host's lease lapses, the node that claims one of its
 * matches adopts it and resumes it from that snapshot. A host that learns another node adopted its
 * match (it stalled past its lease) lets it go.
 */
export class MatchMigration {
  /** The slices of a round whose write is on its way: such a slice waits for the next round. */
  private readonly saving = new Set<number>();
  /** Writes of snapshots, one after another: an older snapshot never lands after a newer one. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Each room's slice of a round, dealt in turn as rooms are first seen. */
  private readonly sliceOf = new WeakMap<Room, number>();
  private dealt = 0;
  private next = 0;
  /**
   * A round (every `snapshotMs`) is cut into slices, one every `sliceMs`, each with its share of the
   * rooms: taking 500 rooms' snapshots and encoding them for the store at once held the event loop
   * for 7-17 ms once a second, and every room due meanwhile left late.
   */
  readonly slices: number;
  readonly sliceMs: number;

  constructor(private readonly options: MatchMigrationOptions) {
    this.slices = Math.max(1, Math.min(MAX_SLICES, Math.floor(options.snapshotMs / MIN_SLICE_MS)));
    this.sliceMs = Math.max(1, Math.floor(options.snapshotMs / this.slices));
  }

  /** Writes the snapshots of the next slice's rooms (one store call per game); lets go of matches adopted elsewhere. */
  async saveSlice(): Promise<void> {
    const slice = this.next;
    this.next = (this.next + 1) % this.slices;
    if (this.saving.has(slice)) return;
    this.saving.add(slice);
    try {
      await this.inTurn(async () => {
        for (const [game, snapshots] of this.take(slice)) {
          const lost = await this.options.store.saveSnapshots(game, this.options.node, snapshots);
          this.options.host.snapshotsSaved(snapshots);
          for (const matchId of lost) this.options.host.relinquish(matchId);
        }
      });
    } finally {
      this.saving.delete(slice);
    }
  }

  /** The snapshots of the rooms of `slice`, per game, taken now. */
  private take(slice: number): Map<string, MatchSnapshotEntry[]> {
    const byGame = new Map<string, MatchSnapshotEntry[]>();
    for (const room of this.options.host.running()) {
      let mine = this.sliceOf.get(room);
      if (mine === undefined) this.sliceOf.set(room, (mine = this.dealt++ % this.slices));
      if (mine !== slice) continue;
      addTo(byGame, room.game.name, entryOf(room));
    }
    return byGame;
  }

  /** Writes the last snapshots of rooms handed off (after any write already on its way); returns the matches the store refused (another node hosts them). */
  saveFinal(entries: readonly { game: string; entry: MatchSnapshotEntry }[]): Promise<string[]> {
    return this.inTurn(async () => {
      const byGame = new Map<string, MatchSnapshotEntry[]>();
      for (const { game, entry } of entries) addTo(byGame, game, entry);
      const lost: string[] = [];
      for (const [game, list] of byGame) lost.push(...(await this.options.store.saveSnapshots(game, this.options.node, list)));
      return lost;
    });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(work, work);
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** A match that just started: its first snapshot now, so that it can be resumed from its first second. */
  started(room: Room): void {
    const entry = entryOf(room);
    this.options.store.saveSnapshots(room.game.name, this.options.node, [entry]).then(
      () => this.options.host.snapshotsSaved([entry]),
      (error: unknown) => {
        this.options.log.warn({ err: error, game: room.game.name, matchId: room.matchId }, "could not write a new match's first snapshot; the next round will");
      },
    );
  }

  /**
   * Adopts a match claimed from a lapsed host and resumes it here. Returns true when the match is
   * taken care of (resumed here, or it ended or moved meanwhile), false when it cannot be resumed
   * (no snapshot yet, or an unreadable one): the caller ends it. Throws when the store is unreachable.
   */
  async adopt(lapsed: LapsedMatch, handedOver = false): Promise<boolean> {
    const { game, matchId, host: from } = lapsed;
    const adoption = await this.options.store.adoptMatch(game, matchId, this.options.node, from, Date.now() + this.options.leaseMs);
    if (!adoption) return true;
    if ("ended" in adoption) {
      // Its host recorded the end and died before confirming it told the players: tell them again.
      const { players, end, stamps } = adoption.ended;
      this.options.log.warn({ game, matchId, from, reason: end.reason }, "telling the players the end of a match whose host died right after it ended");
      players.forEach((playerId, seat) => this.options.channel.toPlayer(game, playerId, "match:end", end, stamps[seat]));
      return true;
    }
    if (adoption.snapshot === undefined) return false;
    try {
      await this.options.host.restore(adoption.match, adoption.snapshot, from, adoption.inputs, adoption.truncated, handedOver);
      return true;
    } catch (error) {
      this.options.log.error({ err: error, game, matchId, from }, "could not resume an adopted match; ending it");
      return false;
    }
  }
}
