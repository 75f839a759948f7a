import { defineRenderer } from "../renderer.ts";
import { PADDLE_HEIGHT } from "./rules.ts";
import type { PongInput, PongView } from "./schema.ts";

const KEYS: Record<string, PongInput["dir"]> = { ArrowUp: -1, KeyW: -1, ArrowDown: 1, KeyS: 1 };

/** Pong on a canvas; the arrow keys or W/S move the player's paddle. */
export default defineRenderer<PongInput, PongView>({
  help: "Arrow keys or W/S move your paddle.",
  describeSeat: (seat) => `You defend the ${seat === 0 ? "left" : "right"} side`,
  mount(root, context) {
    const canvas = Object.assign(document.createElement("canvas"), { id: "pong", width: 480, height: 480 });
    root.append(canvas);
    const g = canvas.getContext("2d")!;
    let dir: PongInput["dir"] = 0;
    const send = (next: PongInput["dir"]) => {
      if (next === dir || context.seat === undefined) return;
      dir = next;
      context.sendFast({ dir });
    };
    const typing = () => document.activeElement instanceof HTMLInputElement;
    const down = (event: KeyboardEvent) => {
      const next = KEYS[event.code];
      if (next === undefined || typing()) return;
      event.preventDefault();
      send(next);
    };
    const up = (event: KeyboardEvent) => {
      if (KEYS[event.code] !== undefined) send(0);
    };
    addEventListener("keydown", down);
    addEventListener("keyup", up);
    return {
      draw(view) {
        const w = canvas.width;
        g.clearRect(0, 0, w, w);
        g.fillStyle = "#333";
        for (let y = 0; y < w; y += 24) g.fillRect(w / 2 - 1, y, 2, 12);
        g.fillStyle = "#e8e8f0";
        view.paddles.forEach((y, seat) => g.fillRect(seat === 0 ? 4 : w - 12, (y - PADDLE_HEIGHT / 2) * w, 8, PADDLE_HEIGHT * w));
        g.beginPath();
        g.arc(view.ball.x * w, view.ball.y * w, 7, 0, Math.PI * 2);
        g.fill();
        g.font = "32px system-ui";
        g.fillText(`${view.score[0]}   ${view.score[1]}`, w / 2 - 40, 40);
        context.status(`Score ${view.score[0]} : ${view.score[1]}`);
      },
      destroy() {
        removeEventListener("keydown", down);
        removeEventListener("keyup", up);
        canvas.remove();
      },
    };
  },
});
