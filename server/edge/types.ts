import type { Namespace, Server, Socket } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../../protocol/index.ts";

export type ArenaIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ArenaNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ArenaSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
