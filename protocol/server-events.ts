import type { ServerToClientEvents } from "./events.ts";

/** The name of an event the server sends to players. */
export type ServerEventName = keyof ServerToClientEvents;
/** The payload of a server event. */
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/** What spectators are sent: the match's states, then its end. */
export type SpectatorEvent = "state" | "match:end";
export type SpectatorPayload = ServerEventPayload<"state"> | ServerEventPayload<"match:end">;
