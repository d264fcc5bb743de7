import leven from 'leven';

/**
 * The most similar stem, for "did you mean" hints: the closest by Levenshtein distance
 * (case-insensitive), if it is within a quarter of the word's length (at least 2).
 * @param wanted what was written
 * @param stems known stems
 * @returns a stem within a small edit distance, if any
 */
export function nearest(wanted: string, stems: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 4)) + 1;
  const w = wanted.toLowerCase();
  for (const s of stems) {
    if (Math.abs(s.length - wanted.length) >= bestDistance) continue;
    // leven stops counting at maxDistance: a farther stem costs no more than a near one
    const d = leven(w, s.toLowerCase(), { maxDistance: bestDistance });
    if (d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  return best;
}
