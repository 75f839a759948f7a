import type { MatchmakingStore } from "../matchmaker/index.ts";
import type { Logger } from "./logger.ts";

/** Another live node loads other games: starting would split a deployment's players between game sets. */
export class GameSetMismatch extends Error {
  override readonly name = "GameSetMismatch";
}

/**
 * Refuses to start a node whose games differ from a live node's (heard from within `ttlMs`): a
 * player paired on one node could be sent to a host that cannot run the game. A store that cannot
 * be read (Redis unreachable at start) is let pass with a warning.
 */
export async function checkGameSet(store: MatchmakingStore, node: string, games: readonly string[], ttlMs: number, log: Logger): Promise<void> {
  const mine = [...games].sort().join(",");
  let nodes;
  try {
    nodes = await store.describedNodes();
  } catch (error) {
    log.warn({ err: error }, "could not compare this node's games with the other nodes'");
    return;
  }
  const now = Date.now();
  for (const other of nodes) {
    if (other.node === node || !other.games || (other.at ?? 0) < now - ttlMs) continue;
    const theirs = [...other.games].sort().join(",");
    if (theirs !== mine) {
      throw new GameSetMismatch(
        `node ${other.node} serves the games ${theirs}, and this node loads ${mine}: every node of a deployment must load the same GAMES`,
      );
    }
  }
}
