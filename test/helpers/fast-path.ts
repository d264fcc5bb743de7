// The one equivalence harness for the hand-written fast paths (the Markdown scanner, the simple
// YAML reader): on every generated input the fast path either declines or answers exactly what
// the library it stands in for answers, and it must really answer, not decline, often enough.
// A fast path that always declined would pass an equivalence test on its own; here it fails.
import fc from 'fast-check';
import { expect } from 'vitest';

/** A fast path and the reference it must equal. */
export interface FastPath<I, O> {
  /** The fast path: an answer, or null when it declines. */
  fast(input: I): O | null;
  /** The library's answer, in the same shape. */
  reference(input: I, fast: O): unknown;
  /** The fast answer in the shape `reference` returns (defaults to itself). */
  view?(fast: O, input: I): unknown;
  /** At least this share of the inputs must take the fast path (0..1). */
  minTaken: number;
}

/**
 * Checks a fast path against its reference on generated inputs, and that it was taken.
 * @param inputs the input generator
 * @param path the fast path, its reference and the share it must take
 * @param runs how many inputs
 * @returns how many inputs took the fast path
 */
export function expectFastPath<I, O>(
  inputs: fc.Arbitrary<I>,
  path: FastPath<I, O>,
  runs: number,
): number {
  let taken = 0;
  let total = 0;
  fc.assert(
    fc.property(inputs, (input) => {
      total++;
      const fast = path.fast(input);
      if (fast === null) return;
      taken++;
      expect(path.view ? path.view(fast, input) : fast).toEqual(path.reference(input, fast));
    }),
    { numRuns: runs },
  );
  // fast-check may shrink after a failure, never after a pass: total is the runs made
  expect(taken / total, `fast path taken on ${taken} of ${total} inputs`).toBeGreaterThanOrEqual(
    path.minTaken,
  );
  return taken;
}
