import { defineRenderer } from "../renderer.ts";
import type { TictactoeInput, TictactoeView } from "./schema.ts";

const MARK = ["X", "O"] as const;

/** Tictactoe as nine buttons; a click on a free cell is a move. */
export default defineRenderer<TictactoeInput, TictactoeView>({
  describeSeat: (seat) => `You play ${MARK[seat]}`,
  mount(root, context) {
    const board = Object.assign(document.createElement("div"), { className: "board" });
    board.style.gridTemplateColumns = "repeat(3, 96px)";
    root.append(board);
    return {
      draw(view) {
        board.replaceChildren(
          ...view.board.map((cell, i) => {
            const button = document.createElement("button");
            button.className = "cell";
            button.dataset.cell = String(i);
            button.textContent = cell === null ? "" : MARK[cell];
            // A watched match or a replay is only shown.
            button.disabled = cell !== null || view.turn !== context.seat;
            button.onclick = () => context.send({ cell: i });
            return button;
          }),
        );
        const seconds = Math.max(0, Math.ceil((view.moveDeadline - context.now()) / 1000));
        const whose = context.seat === undefined ? `${MARK[view.turn]} to move` : view.turn === context.seat ? "Your turn" : "Their turn";
        context.status(`${whose} (${seconds} s)`);
      },
      destroy() {
        board.remove();
      },
    };
  },
});
