/**
 * The most similar stem, for "did you mean" hints.
 * @param wanted what was written
 * @param stems known stems
 * @returns a stem within a small edit distance, if any
 */
export function nearest(wanted: string, stems: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 4)) + 1;
  for (const s of stems) {
    if (Math.abs(s.length - wanted.length) >= bestDistance) continue;
    const d = distance(wanted.toLowerCase(), s.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length]!;
}
