/**
 * Delivery: how an event reaches a player on this node. The player channel (`player-channel.ts`)
 * knows each player's live socket here and sends others' events to their node through the relay;
 * events about a player's place go in the order the store numbered them (`player-sequence.ts`);
 * the places this node's players hold are noted (`player-places.ts`) so that a store that lost
 * its data is rebuilt (`store-recovery.ts`); a match's group is one encode per send (`room-emitter.ts`); compact states and each match's
 * ref on this node are `state-wires.ts`.
 */
export { SocketPlayerChannel, type RemotePlayers, type SequenceStore } from "./player-channel.ts";
export { PlayerPlaces, type PlayerPlace } from "./player-places.ts";
export { GAP_MS, PlayerSequence } from "./player-sequence.ts";
export { StoreRecovery } from "./store-recovery.ts";
export { StateWires } from "./state-wires.ts";
