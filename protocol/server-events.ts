import type { ServerToClientEvents } from "./events.ts";

/** The name of an event the server sends to players. */
export type ServerEventName = keyof ServerToClientEvents;
/** The payload of a server event. */
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/** What spectators are sent: the match's states, then its end. */
export type SpectatorEvent = "state" | "match:end";
export type SpectatorPayload = ServerEventPayload<"state"> | ServerEventPayload<"match:end">;

/**
 * One server event with its payload, as one value: its name tells its payload's type. Events travel
 * so from the code that sends them to the socket, across the relay between nodes included.
 */
export type PlayerEvent = { [E in ServerEventName]: { event: E; payload: ServerEventPayload<E> } }[ServerEventName];

/** An event and its payload as one `PlayerEvent` (TypeScript cannot tie a generic name to the union's member itself). */
export function playerEvent<E extends ServerEventName>(event: E, payload: ServerEventPayload<E>): PlayerEvent {
  return { event, payload } as PlayerEvent;
}
