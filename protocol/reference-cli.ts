/**
 * `npm run docs`: writes the protocol's reference, made from its schemas, to `docs/protocol.md` and
 * `docs/asyncapi.json`. `test/protocol-docs.test.ts` fails when the committed files differ from it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { protocolReference } from "./reference.ts";
import { PROTOCOL_VERSION } from "./version.ts";

const dir = fileURLToPath(new URL("../docs/", import.meta.url));
const { markdown, asyncapi } = protocolReference(PROTOCOL_VERSION);
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}protocol.md`, markdown);
writeFileSync(`${dir}asyncapi.json`, `${JSON.stringify(asyncapi, null, 2)}\n`);
process.stdout.write(`docs/protocol.md (${markdown.length} characters) and docs/asyncapi.json written\n`);
