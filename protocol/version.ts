/** The wire protocol version described by PROTOCOL.md. A change that breaks a client of this version needs a new one. */
export const PROTOCOL_VERSION = 3 as const;
