/** Expected score of a player rated `a` against one rated `b`. */
export function expectedScore(a: number, b: number): number {
  return 1 / (1 + 10 ** ((b - a) / 400));
}

/**
 * New Elo ratings for two players after a match; `score` is 1 when the first won,
 * 0 when the second won, 0.5 for a draw. Ratings are rounded to whole points.
 */
export function eloUpdate(a: number, b: number, score: 0 | 0.5 | 1, k: number): [number, number] {
  const deltaA = k * (score - expectedScore(a, b));
  return [Math.round(a + deltaA), Math.round(b - deltaA)];
}
