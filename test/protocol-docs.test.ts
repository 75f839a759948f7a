import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_EVENTS, ErrorCode, PROTOCOL_VERSION, serverEventSchemas } from "../protocol/index.ts";
import { protocolReference } from "../protocol/reference.ts";

const read = (file: string) => readFileSync(new URL(`../docs/${file}`, import.meta.url), "utf8");

/** The wire contract inside the repository: made from the schemas, and current. */
describe("docs/protocol.md and docs/asyncapi.json", () => {
  const { markdown, asyncapi } = protocolReference(PROTOCOL_VERSION);

  it("are what `npm run docs` makes from the schemas today (run it after changing protocol/)", () => {
    expect(read("protocol.md")).toBe(markdown);
    expect(JSON.parse(read("asyncapi.json"))).toEqual(asyncapi);
  });

  it("describe every event both ways, every error code, and the compact encoding", () => {
    for (const event of [...CLIENT_EVENTS, ...Object.keys(serverEventSchemas)]) expect(markdown).toContain(`### \`${event}\``);
    for (const code of Object.values(ErrorCode)) expect(markdown).toContain(`| \`${code}\` |`);
    expect(markdown).toContain("[ref, tick, mask, v...]");
    const operations = Object.keys((asyncapi as { operations: object }).operations);
    expect(operations).toHaveLength(CLIENT_EVENTS.length + Object.keys(serverEventSchemas).length);
  });
});
