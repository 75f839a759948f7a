/** The wire protocol version described by PROTOCOL.md. A change that breaks a v1 client needs a new version. */
export const PROTOCOL_VERSION = 1 as const;
