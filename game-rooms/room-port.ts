import type { Logger } from "pino";
import type { MatchGroup, PlayerChannel } from "../matchmaker/index.ts";
import type { EndReason, HostInfo, PlayerId, Seat, StatePayload } from "../protocol/index.ts";
import type { NodeRelay } from "./node-relay.ts";
import type { Room } from "./room.ts";
import type { RoomSpectators } from "./room-spectators.ts";
import type { RoomPort, SeatState } from "./room-types.ts";

/** Where a seat's player is, when the room knows it (a disconnected player may come back anywhere). */
const nodeOf = (seat: SeatState) => (seat.connected ? seat.node : undefined);

/** What a host's rooms reach the outside through. */
export interface RoomPortDeps {
  node: string;
  /** How clients reach this node (`match:resumed.host`). */
  self: Omit<HostInfo, "node">;
  channel: PlayerChannel;
  relay: NodeRelay;
  /** Per hosted match, its players on this node. */
  groups: ReadonlyMap<string, MatchGroup>;
  spectators: RoomSpectators;
  lagging: { inc(labels: { game: string }): void; dec(labels: { game: string }): void };
  log: Logger;
  observeRtt(game: string, seconds: number): void;
  /** The room is over: the host records and tells its end. */
  finish(room: Room, reason: EndReason, winner: Seat | null): void;
}

/**
 * How a hosted room talks to the outside: its states to local seats as one send to the match's
 * group, to seats on other nodes as one relay message per node; its start and end through the
 * player channel, in the player's sequence; its spectators; its lag and round trips to the metrics.
 */
export function createRoomPort(deps: RoomPortDeps): RoomPort<Room> {
  const { channel, node, relay } = deps;
  // `own`: the view is that one player's seat's (hidden information), encoded apart from the shared one.
  const relayState = (to: string, room: Room, players: PlayerId[], payload: StatePayload, own?: true) =>
    relay.send(to, {
      t: "state",
      from: node,
      game: room.game.name,
      matchId: room.matchId,
      players,
      tick: payload.tick,
      state: payload.state,
      inputSeq: payload.inputSeq,
      ...(own ? { own } : {}),
    });
  return {
    broadcastState: (room, payload) => {
      // Local seats: one send to the match's group (on uWebSockets.js, one encode and one native
      // publish). Remote seats: one relay message per node, which hands it to its players there.
      let reached = 0;
      let local = false;
      let remote: Map<string, PlayerId[]> | undefined;
      for (const seat of room.seats) {
        if (!seat.connected) continue;
        reached++;
        if (seat.node === node) local = true;
        else {
          remote ??= new Map();
          const players = remote.get(seat.node);
          if (players) players.push(seat.playerId);
          else remote.set(seat.node, [seat.playerId]);
        }
      }
      if (local) deps.groups.get(room.matchId)?.send("state", payload);
      if (remote) for (const [to, players] of remote) relayState(to, room, players, payload);
      return reached;
    },
    sendState: (room, seat, payload) => {
      if (seat.node === node) return channel.statesHere(room.game.name, [seat.playerId], payload, true);
      relayState(seat.node, room, [seat.playerId], payload, true);
      return true;
    },
    sendStart: (room, seat, payload, resumed) => {
      // The first start (or resumption after an adoption) has its place in the player's sequence;
      // a resumption on reconnecting answers that connection only.
      const to = { node: nodeOf(seat), seq: seat.firstSeq };
      // Cleared, not deleted: a deleted property turns the seat into a dictionary, and every later
      // write of a fractional number to it (an ack's time and round trip) would allocate.
      seat.firstSeq = undefined;
      if (resumed) channel.toPlayer(room.game.name, seat.playerId, "match:resumed", { ...payload, host: { node, ...deps.self } }, to);
      else channel.toPlayer(room.game.name, seat.playerId, "match:start", payload, to);
    },
    finish: (room, reason, winner) => {
      deps.finish(room, reason, winner);
    },
    sendSpectators: (room, event, payload) => deps.spectators.send(room, event, payload),
    onRtt: (room, rttMs) => deps.observeRtt(room.game.name, rttMs / 1000),
    onLagChange: (room, seat, lagging) => {
      deps.lagging[lagging ? "inc" : "dec"]({ game: room.game.name });
      deps.log.info({ game: room.game.name, matchId: room.matchId, playerId: seat.playerId, lagging }, lagging ? "player lagging" : "player caught up");
    },
  };
}
