import type { PlayerEvent, PlayerId, SpectatorEvent, SpectatorPayload } from "../protocol/index.ts";

/** Messages between nodes, each to one node by name. */
export type RelayMessage =
  // The game rooms: the node that completed a ready check hands the match to its chosen host ...
  | { t: "host"; game: string; matchId: string }
  // ... a draining host hands a running match to a live node, which adopts it from its last snapshot ...
  | { t: "adopt"; game: string; matchId: string; from: string }
  // ... and a player's node talks to their match's host, one hop each way.
  | {
      t: "req";
      id: string;
      from: string;
      op: "input" | "leave" | "spectate";
      game: string;
      matchId: string;
      playerId: string;
      seq?: number;
      input?: unknown;
    }
  | { t: "res"; id: string; ok: true; tick: number; data?: unknown }
  | { t: "res"; id: string; ok: false; code: string; message: string }
  | { t: "state"; from: string; game: string; matchId: string; players: string[]; tick: number; state: unknown; inputSeq: [number, number]; own?: true }
  | { t: "ack"; matchId: string; playerId: string; tick: number }
  | { t: "attach"; matchId: string; playerId: string; node: string }
  | { t: "detach"; matchId: string; playerId: string }
  // Spectators: one stops watching; the host sends a match's state and end to each node that has some.
  | { t: "unspectate"; matchId: string; playerId: string }
  | { t: "spec"; game: string; matchId: string; event: SpectatorEvent; payload: SpectatorPayload }
  // The player channel: an event for a player connected to the receiving node.
  | ({ t: "player"; game: string; playerId: PlayerId; seq?: number } & PlayerEvent)
  // Session takeover: the player's connection there is older than `generation`.
  | { t: "takeover"; game: string; playerId: PlayerId; generation: number };

/** Sends relay messages to a node by name, and hands this node's to every listener. */
export interface NodeRelay {
  send(node: string, message: RelayMessage): void;
  onMessage(listener: (message: RelayMessage) => void): void;
  close(): Promise<void>;
}
