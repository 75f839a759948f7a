import { ordinal, rate, rating } from "openskill";

/**
 * The display ratings two new players get after one ranked match, computed with the `openskill`
 * package itself (the server's default system): `rank` [1, 2] when the first won, [1, 1] for a draw.
 */
export function displayAfter(rank: [number, number]): [number, number] {
  const [[a], [b]] = rate([[rating()], [rating()]], { rank });
  return [a!, b!].map((r) => Math.round(ordinal(r, { alpha: 40, target: 1000 }))) as [number, number];
}

/** A new player's display rating under OpenSkill: the ordinal of mu 25, sigma 25/3 is 0, shown as 1000. */
export const NEW_PLAYER = 1000;
