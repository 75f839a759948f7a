import type { MatchmakingStore } from "./store.ts";
import { memoryLobby } from "./memory/lobby.ts";
import { memoryMatches } from "./memory/matches.ts";
import { memoryQueues } from "./memory/queues.ts";
import { memoryRatings } from "./memory/ratings.ts";
import { memorySessions } from "./memory/sessions.ts";
import { MemoryState } from "./memory/state.ts";
import { memoryWatch } from "./memory/watch.ts";

/**
 * The embedded single-node store: the same state and rules as the Redis store, kept in Maps. It is
 * composed of one object per role (`memory/`: sessions, queues, matches, ratings, lobby, watching)
 * over one shared state (`MemoryState`, which keeps the invariants that tie its maps together).
 * Every method runs to completion without awaiting, which makes it as atomic as a Redis script.
 * Replays are kept within `replayBytes` of memory (`REPLAY_MEMORY_MB`), the oldest dropped first:
 * a day of them at a busy node's match rate would not fit a process.
 */
export function memoryStore(options: { replayBytes?: number } = {}): MatchmakingStore {
  const state = new MemoryState(options.replayBytes);
  let epoch: string | undefined;
  const store = {} as MatchmakingStore;
  return Object.assign(
    store,
    memorySessions(state),
    memoryQueues(state),
    memoryMatches(state, store),
    memoryRatings(state),
    memoryLobby(state, store),
    memoryWatch(state, store),
    {
      async epoch(candidate: string): Promise<string> {
        epoch ??= candidate;
        return epoch;
      },
      async close(): Promise<void> {},
    },
  );
}
