// Compiled against the installed package's declarations: the game's types flow to inputs and states.
import { connect, type ArenaClient, type PlayableGame } from "arena-sdk";

type Cell = 0 | 1 | null;
type Tictactoe = { input: { cell: number }; view: { board: Cell[]; turn: 0 | 1; moveDeadline: number } };

export function play(client: ArenaClient<Tictactoe>): void {
  client.on("state", (payload) => {
    const board: Cell[] = payload.state.board;
    if (board.length === 9) client.sendInput({ cell: board.indexOf(null) });
  });
  // @ts-expect-error: an input of another shape is a compile error
  client.sendInput({ column: 3 });
}

/** A game definition's types flow the same way. */
declare const pong: PlayableGame<unknown, unknown, { dir: -1 | 0 | 1 }, { paddles: [number, number] }>;
const client = connect({ url: "http://localhost:3000", game: pong, token: "t" });
const frame = client.frame();
export const y: number | undefined = frame?.view.paddles[0];
// @ts-expect-error: pong takes a direction
client.sendInput({ dir: 2 });
play(connect<Tictactoe>({ url: "http://localhost:3000", game: "tictactoe", token: "t" }));
