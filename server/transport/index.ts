/**
 * The engines under Socket.IO: uWebSockets.js (`uws.ts`, `io.attachApp`), whose native binary is
 * loaded and checked in `uws-native.ts`, or Node's HTTP server with `ws` (`ws.ts`); each carries
 * the HTTP routes on the same port behind one `Transport` interface.
 */
export type { HttpHandler, Transport } from "./transport.ts";
export { loadUws, nativeUws, UWS_BUILDS, type Uws, type UwsBuild, type UwsLoad } from "./uws-native.ts";
export { attachUws } from "./uws.ts";
export { attachWs } from "./ws.ts";
