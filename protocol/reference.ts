import { z } from "zod";
import { ackSchemas } from "./ack-schemas.ts";
import { clientEventSchemas } from "./client-payloads.ts";
import { ErrorCode } from "./errors.ts";
import { CLIENT_EVENTS, type ClientEventName } from "./event-names.ts";
import type { ServerToClientEvents } from "./events.ts";
import {
  gameInfoSchema,
  guestTokenSchema,
  historyEntrySchema,
  leaderboardEntrySchema,
  liveMatchSchema,
  replaySchema,
  serverEventSchemas,
} from "./server-payloads.ts";

/** One line on what each client event does (the payloads and answers come from the schemas). */
const CLIENT_DOCS: Record<ClientEventName, string> = {
  "queue:join": "Joins the game's queue in a mode (default: the first), with the player's measured round trips to regions.",
  "queue:leave": "Leaves the queue, or the ready check.",
  "match:ready": "Accepts the ready check of a found match, before its `readyBy`.",
  "game:input": "An input of the game; `seq` increases with each input of the player in the match. May be sent without a callback (fire and forget).",
  "match:leave": "Forfeits a running match.",
  "chat:send": "A line to both players of the match (1-200 characters after trimming).",
  stats: "Queue, match and player counts of this game, across all nodes.",
  "state:ack": "Acknowledges every state of the match up to `tick` (`{ matchId, tick }`, or compact `[ref, tick]`). Never answered.",
  "lobby:list": "A page of the players online in this game.",
  "lobby:chat": "A line to every player online in this game.",
  "dm:send": "A direct message to one online player (`UNKNOWN_PLAYER` when not online here).",
  "challenge:send": "Challenges an online player; accepted, both get `match:found`.",
  "challenge:answer": "Accepts or declines a challenge before its `expiresAt`.",
  "private:create": "A 6-character code for one friend, valid 10 minutes.",
  "private:join": "Joins a friend's code: both get `match:found` (`UNKNOWN_CODE` when unknown, expired or used).",
  "match:rematch": "Asks for a rematch within 30 s of `match:end`; when both asked, both get `match:found` with seats swapped.",
  "match:spectate": "Watches a running match: its `state` events follow, unacknowledged (`FULL` past the spectator limit).",
  "match:unspectate": "Stops watching.",
  "time:sync": "The server's clock: the client estimates its offset as `serverTime - (clientTime + rtt / 2)`.",
};

type ServerEventName = keyof ServerToClientEvents;

/** One line on what each server event says. */
const SERVER_DOCS: Record<ServerEventName, string> = {
  "match:found": "A match was made: send `match:ready` before `readyBy`. When `host.url` names another node, connect there first.",
  "match:cancelled": "The ready check failed; a player who was ready is back in the queue (`requeued`).",
  "match:start": "The match started. `ref` names it in compact states; tick T runs at `tickZeroAt + T * 1000 / tickRate`.",
  state:
    "The match's state, once per tick (turn games: when it changed); acknowledge with `state:ack` every `ackEvery` ticks. On a compact connection, `[ref, tick, mask, v...]` instead.",
  "match:resumed": "Sent on reconnect (to any node) while the player is still seated; `host` as in `match:found`.",
  "match:moving":
    "The match's host is draining (a deploy): connect to `host.url` as after `match:found` and expect `match:resumed` there. The match pauses until both players are back.",
  "match:end": "The match ended; `ratings` are the display ratings after it.",
  chat: "A line of the match's chat.",
  announcement: "An operator's announcement to every player of the game.",
  "session:replaced": "A newer connection of this player took over; this one is closed.",
  "lobby:chat": "A line of the game's lobby chat.",
  dm: "A direct message.",
  challenge: "Someone challenges this player: answer with `challenge:answer` before `expiresAt`.",
  "challenge:declined": "A challenge this player sent was declined.",
  "challenge:expired": "A challenge this player sent expired unanswered.",
  "rematch:offered": "The opponent of a match that just ended asks for a rematch.",
};

const ERROR_DOCS: Record<ErrorCode, string> = {
  UNAUTHORIZED: "bad or missing token (at the handshake: `connect_error` `unauthorized`, `data.code`)",
  BAD_REQUEST: "a payload of the wrong shape or type",
  ALREADY_QUEUED: "the player is already queued in this game",
  ALREADY_IN_MATCH: "the player is already in a match of this game",
  NOT_QUEUED: "the player is not queued",
  UNKNOWN_MATCH: "no such match",
  NOT_IN_MATCH: "the match is not the player's",
  UNKNOWN_PLAYER: "the player is not online in this game",
  UNKNOWN_CODE: "the private code does not exist, expired or was used",
  FULL: "the match has as many spectators as it takes",
  NOT_YOUR_TURN: "a move out of turn (game rules)",
  ILLEGAL_MOVE: "a move the rules refuse",
  RATE_LIMITED: "over the player's event or connection budget; sustained abuse disconnects",
  UNAVAILABLE: "Redis unreachable or the node draining: nothing changed, the client may retry",
  INTERNAL: "a bug, logged with the request's context",
};

const HTTP_ROUTES: { route: string; answer: string; schema?: z.ZodType }[] = [
  { route: 'POST /v1/guest body {"name"?: string}', answer: "a signed guest token", schema: guestTokenSchema },
  {
    route: "GET /v1/games",
    answer: "every game the node serves: kind, tick rate, modes, seats, wire fields, rules, input schema",
    schema: z.array(gameInfoSchema),
  },
  { route: "GET /v1/regions", answer: '`[{ "region", "url" }]`: the regions matches are hosted in' },
  { route: "GET /v1/ping", answer: "`204`, as fast as the node can answer" },
  { route: "GET /v1/matches?game=&limit=", answer: "running matches, newest first, across all nodes", schema: z.array(liveMatchSchema) },
  {
    route: "GET /v1/matches/:matchId/replay",
    answer: "a finished match, enough to replay it with the game's rules (`404` when unknown or expired)",
    schema: replaySchema,
  },
  { route: "GET /v1/players/:playerId/matches?game=", answer: "the player's last 20 matches of a game", schema: z.array(historyEntrySchema) },
  { route: "GET /v1/leaderboard?game=&mode=&limit=", answer: "the best display ratings", schema: z.array(leaderboardEntrySchema) },
  { route: "GET /healthz", answer: "`200` while the process is alive" },
  { route: "GET /readyz", answer: "`200` when ready for players, `503` with a reason while Redis is unreachable or the node drains" },
  { route: "GET /metrics", answer: "Prometheus text format" },
];

/** A schema as JSON Schema, without the `$schema` line. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any", io }) as Record<string, unknown>;
  return rest;
}

/** JSON with whatever fits in 100 characters on one line. */
function pretty(value: unknown, indent = ""): string {
  const flat = JSON.stringify(value);
  if (flat.length + indent.length <= 100 || typeof value !== "object" || value === null) return flat;
  const next = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => next + pretty(v, next)).join(",\n")}\n${indent}]`;
  return `{\n${Object.entries(value)
    .map(([k, v]) => `${next}${JSON.stringify(k)}: ${pretty(v, next)}`)
    .join(",\n")}\n${indent}}`;
}

const block = (value: unknown) => `\`\`\`json\n${pretty(value)}\n\`\`\``;
const key = (event: string) => event.replace(/:/g, "_");

/** The protocol's reference: `docs/protocol.md` and `docs/asyncapi.json`, both made from the schemas in `protocol/`. */
export function protocolReference(version: number): { markdown: string; asyncapi: Record<string, unknown> } {
  const lines: string[] = [
    `# Arena wire protocol, v${version}`,
    "",
    "Generated from the zod schemas in `protocol/` by `npm run docs`; `test/protocol-docs.test.ts` fails when it is not current. Do not edit by hand.",
    "",
    "- **Transport.** Socket.IO v4 (Engine.IO v4): WebSocket, and HTTP long-polling for networks that block it. One port serves Socket.IO, the HTTP routes and the browser page.",
    "- **Namespaces.** One per game, `/<game>` (`GET /v1/games`). An unknown namespace is refused by Socket.IO (`Invalid namespace`).",
    '- **Handshake.** `auth: { token, encoding? }`: an HS256 JWT (`sub` = playerId, `name`, `exp`) from `POST /v1/guest` or the game\'s own services, or RS256/ES256 from an identity provider the node is configured with. `encoding: "compact"` asks for compact states. A refused handshake is `connect_error` with `data.code`.',
    "- **Acks.** Every client event but `state:ack` takes an acknowledgement callback and is always answered: `{ ok: true, ...answer }` or `{ ok: false, error: { code, message } }`. `game:input` may come without one.",
    "- **Payloads.** JSON objects; unknown fields are ignored, wrong types are `BAD_REQUEST`.",
    "",
    "## Client to server",
    "",
  ];
  for (const event of CLIENT_EVENTS) {
    lines.push(`### \`${event}\``, "", CLIENT_DOCS[event], "", "Payload:", "", block(jsonSchema(clientEventSchemas[event], "input")), "");
    if (event === "state:ack") lines.push("Answer: none.", "");
    else lines.push("Answer on success, besides `ok: true`:", "", block(jsonSchema(ackSchemas[event], "output")), "");
  }
  lines.push("## Server to client", "");
  for (const event of Object.keys(serverEventSchemas) as ServerEventName[]) {
    lines.push(`### \`${event}\``, "", SERVER_DOCS[event], "", block(jsonSchema(serverEventSchemas[event], "output")), "");
  }
  lines.push(
    "## Compact states",
    "",
    "On a compact connection every `state` is a JSON array of integers, `[ref, tick, mask, v...]`. The game's `wire.fields` (`GET /v1/games`) list the numbers of its view in order, then `inputSeq.0` and `inputSeq.1` (30 at most). A field's name is its path in the view (`ball.x`, `board.4`); its value on the wire is `round(value * scale)`, and null is -1. Bit i of `mask` says field i follows; a field that does not follow keeps the value this connection last received. The first compact state after `match:start`, `match:resumed` or `match:spectate` is a key frame (every bit set), and the server sends key frames whenever it cannot be sure the connection has the previous state. `ref` comes from `match:start`, `match:resumed` or the `match:spectate` answer. A compact `state:ack` is `[ref, tick]`.",
    "",
    "## Errors",
    "",
    "| code | when |",
    "| --- | --- |",
    ...Object.values(ErrorCode).map((code) => `| \`${code}\` | ${ERROR_DOCS[code]} |`),
    "",
    "## HTTP routes",
    "",
    'Every `/v1/` route answers any origin (CORS). Errors are `{ "error": { "code", "message" } }`.',
    "",
  );
  for (const route of HTTP_ROUTES) {
    lines.push(`### \`${route.route}\``, "", route.answer, "");
    if (route.schema) lines.push(block(jsonSchema(route.schema, "output")), "");
  }
  const message = (event: string, schema: z.ZodType, io: "input" | "output", summary: string) => ({ name: event, summary, payload: jsonSchema(schema, io) });
  const asyncapi = {
    asyncapi: "3.0.0",
    info: {
      title: "Arena",
      version: String(version),
      description: "A game's namespace on Socket.IO v4: the events each side sends. See docs/protocol.md for acks, compact states, errors and HTTP routes.",
    },
    channels: {
      game: {
        address: "/{game}",
        parameters: { game: { description: "the game's name (`GET /v1/games`)" } },
        messages: {
          ...Object.fromEntries(CLIENT_EVENTS.map((e) => [`client_${key(e)}`, message(e, clientEventSchemas[e], "input", CLIENT_DOCS[e])])),
          ...Object.fromEntries(
            (Object.keys(serverEventSchemas) as ServerEventName[]).map((e) => [
              `server_${key(e)}`,
              message(e, serverEventSchemas[e], "output", SERVER_DOCS[e]),
            ]),
          ),
        },
      },
    },
    operations: {
      ...Object.fromEntries(
        CLIENT_EVENTS.map((e) => [
          `send_${key(e)}`,
          { action: "send", channel: { $ref: "#/channels/game" }, messages: [{ $ref: `#/channels/game/messages/client_${key(e)}` }] },
        ]),
      ),
      ...Object.fromEntries(
        (Object.keys(serverEventSchemas) as ServerEventName[]).map((e) => [
          `receive_${key(e)}`,
          { action: "receive", channel: { $ref: "#/channels/game" }, messages: [{ $ref: `#/channels/game/messages/server_${key(e)}` }] },
        ]),
      ),
    },
  };
  return { markdown: `${lines.join("\n").trimEnd()}\n`, asyncapi };
}
