import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, connectGuest, guest, request, type TestClient } from "./support/clients.ts";
import { RawSocket } from "./support/raw-socket.ts";
import { ENGINES, spawnNode, type ChildNode } from "./support/servers.ts";

/** Frames from the parser's past advisories and friends, sent after a valid CONNECT to /pong. */
const FRAMES: [string, string | Buffer][] = [
  ["object as event name", '42/pong,[{"toString":"foo"}]'],
  ["boolean as event name", '42/pong,[true,"foo"]'],
  ["null as event name", '42/pong,[null,"bar"]'],
  ["number as event name", "42/pong,[42]"],
  ["empty array", "42/pong,[]"],
  ["not an array", '42/pong,{"event":"stats"}'],
  ["a bare string", '42/pong,"stats"'],
  ["truncated JSON", '42/pong,["queue:join",{"mode":'],
  ["truncated JSON with an ack id", '42/pong,7["stats",{'],
  ["huge ack id", '42/pong,99999999999999999999999["stats",{}]'],
  ["negative ack id", '42/pong,-1["stats",{}]'],
  ["binary placeholder without attachment", '451-/pong,["queue:join",{"_placeholder":true,"num":0}]'],
  ["placeholder pointing past the attachments", '451-/pong,["stats",{"_placeholder":true,"num":99}]'],
  ["too many attachments", '4599999999-/pong,["stats",{}]'],
  ["attachment count that is not a number", '45x-/pong,["stats",{}]'],
  ["ack for nothing", '43/pong,12[{"tick":1}]'],
  ["binary ack for nothing", '461-/pong,3[{"_placeholder":true,"num":0}]'],
  ["unknown packet type", "49/pong,[]"],
  ["CONNECT to an unknown namespace", '40/chess,{"token":"x"}'],
  ["CONNECT with a non-object payload", '40/tictactoe,"token"'],
  ["NUL bytes", "\u0000\u0000\u0000"],
  ["unknown Engine.IO type", "9hello"],
  ["an empty frame", ""],
  ["a raw binary frame", Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])],
  ["a 2 MB frame", "42/pong," + JSON.stringify(["stats", { pad: "x".repeat(2_000_000) }])],
  ["deep nesting", "42/pong," + "[".repeat(5000) + "]".repeat(5000)],
];

describe.each(ENGINES)("malformed Socket.IO frames (%s)", (engine) => {
  let node: ChildNode;
  let bystander: TestClient;
  beforeAll(async () => {
    node = await spawnNode({ ENGINE: engine });
    bystander = (await connectGuest(node.url, "pong")).socket;
  });
  afterAll(async () => {
    closeAllClients();
    await node.kill();
  });
  afterEach(async () => {
    // the process is up and another client is still served
    expect(node.process.exitCode).toBeNull();
    expect(await request(bystander, "stats", {})).toMatchObject({ ok: true });
  });

  it.each(FRAMES)("%s: the connection may drop, the server stays up", async (_name, frame) => {
    const raw = await RawSocket.open(node.url);
    const { token } = await guest(node.url);
    expect(await raw.join("/pong", token)).toMatch(/^40\/pong,\{"sid":/);
    raw.send(frame);
    raw.send('42/pong,5["stats",{}]');
    // the follow-up is answered, unless the server dropped this connection (it may, for a hostile frame)
    const answer = await raw.waitFor((f) => f.startsWith("43/pong,5["), 3000).catch(() => undefined);
    if (answer === undefined) expect(raw.closed).toBe(true);
    else expect(JSON.parse(answer.slice("43/pong,5".length))).toMatchObject([{ ok: true, queued: expect.any(Number) }]);
    raw.close();
  });

  it("the same frames in one burst on one connection change nothing either", async () => {
    const raw = await RawSocket.open(node.url);
    const { token } = await guest(node.url);
    await raw.join("/pong", token);
    for (const [, frame] of FRAMES) raw.send(frame);
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.close();
    expect(await request(bystander, "stats", {})).toMatchObject({ ok: true, queued: 0, matches: 0 });
  });

  it("ignores events sent before joining a namespace", async () => {
    const raw = await RawSocket.open(node.url);
    raw.send('42/pong,1["queue:join",{}]');
    raw.send('42["queue:join",{}]');
    await new Promise((resolve) => setTimeout(resolve, 100));
    raw.close();
    expect(await request(bystander, "stats", {})).toMatchObject({ ok: true, queued: 0 });
  });
});
