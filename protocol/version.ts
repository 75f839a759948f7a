/** The wire protocol version described by PROTOCOL.md. A change that breaks a v2 client needs a new version. */
export const PROTOCOL_VERSION = 2 as const;
