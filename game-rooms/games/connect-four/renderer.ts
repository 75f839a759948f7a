import { defineRenderer } from "../renderer.ts";
import { COLUMNS } from "./board.ts";
import type { ConnectFourInput, ConnectFourView } from "./schema.ts";

const COLOURS = ["#e5c07b", "#e06c75"] as const;
const NAMES = ["yellow", "red"] as const;

/** Connect four as a 7 by 6 grid; a click anywhere in a column drops a disc there. */
export default defineRenderer<ConnectFourInput, ConnectFourView>({
  help: "Click a column to drop your disc.",
  describeSeat: (seat) => `You play ${NAMES[seat]}`,
  mount(root, context) {
    const board = Object.assign(document.createElement("div"), { className: "board small" });
    board.style.gridTemplateColumns = `repeat(${COLUMNS}, 48px)`;
    root.append(board);
    return {
      draw(view) {
        const myTurn = context.seat !== undefined && view.turn === context.seat;
        board.replaceChildren(
          ...view.board.map((cell, i) => {
            const column = i % COLUMNS;
            const button = document.createElement("button");
            button.className = "cell";
            button.dataset.cell = String(i);
            button.dataset.column = String(column);
            button.textContent = cell === null ? "" : "●";
            if (cell !== null) button.style.color = COLOURS[cell];
            button.disabled = !myTurn || view.board[column] !== null;
            button.onclick = () => context.send({ column });
            return button;
          }),
        );
        const seconds = Math.max(0, Math.ceil((view.moveDeadline - context.now()) / 1000));
        const whose = context.seat === undefined ? `${NAMES[view.turn]} to move` : myTurn ? "Your turn" : "Their turn";
        context.status(`${whose} (${seconds} s)`);
      },
      destroy() {
        board.remove();
      },
    };
  },
});
