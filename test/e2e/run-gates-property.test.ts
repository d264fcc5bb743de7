// Property: whatever happens to the work tree after the commit, `mikado run` either refuses before
// anything executes, or runs exactly the blocks HEAD's committed cards call for. What ran is read
// from the marker lines the blocks themselves write.
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type TempRepo, tempRepo } from './run-helpers.ts';

interface ModelCard {
  active: boolean;
  /** Indices of lower-numbered cards (so the chain is a DAG). */
  requires: number[];
  blocks: number;
}

type Mutation =
  | { kind: 'edit' | 'complete' | 'break-yaml' | 'symlink'; card: number }
  | { kind: 'untracked'; stem: string; active: boolean };

const stem = (i: number): string => `c${i}`;
const markerCode = (text: string): string =>
  `import { appendFileSync } from 'node:fs'; appendFileSync('ran.txt', ${JSON.stringify(`${text}\n`)});`;

function cardText(i: number, c: ModelCard, markerSuffix = ''): string {
  const fm = [`title: Card ${i}`, 'modified: 2025-01-01'];
  if (c.active) fm.push('status: active');
  if (c.requires.length > 0) fm.push(`requires: [${c.requires.map(stem).join(', ')}]`);
  const blocks = Array.from(
    { length: c.blocks },
    (_, b) => `\`\`\`ts run name=b${b}\n${markerCode(`${stem(i)}:${b}${markerSuffix}`)}\n\`\`\`\n`,
  );
  return `---\n${fm.join('\n')}\n---\n# Card ${i}\n\n${blocks.join('\n')}`;
}

/** The markers HEAD's cards call for: the target's chain, active cards only. */
function expectedMarkers(cards: ModelCard[], target: number): string[] {
  const chain = new Set<number>();
  const visit = (i: number): void => {
    if (chain.has(i)) return;
    chain.add(i);
    for (const r of cards[i]!.requires) visit(r);
  };
  visit(target);
  const out: string[] = [];
  for (const i of [...chain].sort((a, b) => a - b)) {
    const c = cards[i]!;
    if (c.active) for (let b = 0; b < c.blocks; b++) out.push(`${stem(i)}:${b}`);
  }
  return out.sort();
}

const chainArb = fc.integer({ min: 2, max: 4 }).chain((n) =>
  fc.array(
    fc.record({
      active: fc.boolean(),
      requires: fc.subarray(Array.from({ length: n }, (_, k) => k)),
      blocks: fc.integer({ min: 0, max: 2 }),
    }),
    { minLength: n, maxLength: n },
  ),
);

const mutationArb = (n: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({
      kind: fc.constantFrom('edit', 'complete', 'break-yaml', 'symlink') as fc.Arbitrary<
        'edit' | 'complete' | 'break-yaml' | 'symlink'
      >,
      card: fc.integer({ min: 0, max: n - 1 }),
    }),
    fc.record({
      kind: fc.constant('untracked' as const),
      stem: fc.constantFrom(...Array.from({ length: n + 1 }, (_, k) => stem(k))),
      active: fc.boolean(),
    }),
  );

const scenarioArb = chainArb.chain((raw) => {
  const cards = raw.map((c, i) => ({ ...c, requires: c.requires.filter((r) => r < i) }));
  return fc.record({
    cards: fc.constant(cards),
    target: fc.integer({ min: 0, max: cards.length - 1 }),
    mutations: fc.array(mutationArb(cards.length), { maxLength: 2 }),
  });
});

function mutate(r: TempRepo, cards: ModelCard[], m: Mutation, outside: string): void {
  const file = (i: number): string => path.join(r.dir, 'docs/cards', `${stem(i)}.md`);
  switch (m.kind) {
    case 'edit':
      r.write(
        `docs/cards/${stem(m.card)}.md`,
        cardText(m.card, { ...cards[m.card]!, active: true, blocks: 2 }, '-edited'),
      );
      break;
    case 'complete':
      r.write(
        `docs/cards/${stem(m.card)}.md`,
        r.read(`docs/cards/${stem(m.card)}.md`).replace('status: active\n', ''),
      );
      break;
    case 'break-yaml':
      r.write(
        `docs/cards/${stem(m.card)}.md`,
        r.read(`docs/cards/${stem(m.card)}.md`).replace(/^title: .*$/m, 'title: "broken'),
      );
      break;
    case 'symlink': {
      const target = path.join(
        outside,
        `${stem(m.card)}-${Math.random().toString(36).slice(2)}.md`,
      );
      writeFileSync(
        target,
        cardText(m.card, { ...cards[m.card]!, active: true, blocks: 2 }, '-linked'),
      );
      unlinkSync(file(m.card));
      symlinkSync(target, file(m.card));
      break;
    }
    case 'untracked':
      r.write(
        `docs/cards/extra/${m.stem}.md`,
        cardText(99, { active: m.active, requires: [], blocks: 1 }, `-untracked-${m.stem}`),
      );
      break;
  }
}

describe('mikado run: property', () => {
  const seen = { refused: 0, ran: 0, ranAfterMutation: 0 };
  afterAll(() => {
    // Both answers of the property were given, so neither side is vacuous.
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.ranAfterMutation).toBeGreaterThan(0);
  });

  it('refuses before anything runs, or runs exactly what HEAD calls for', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cards, target, mutations }) => {
        const r = tempRepo();
        const outside = path.join(r.dir, '..', `${path.basename(r.dir)}-outside`);
        mkdirSync(outside, { recursive: true });
        try {
          cards.forEach((c, i) => {
            r.write(`docs/cards/${stem(i)}.md`, cardText(i, c));
          });
          r.commit();
          for (const m of mutations) mutate(r, cards, m, outside);
          const out = r.mikado(['run', stem(target), '--yes']);
          const ran = r.exists('ran.txt') ? r.read('ran.txt').trim().split('\n').sort() : [];
          if (out.code === 2) {
            expect(ran).toEqual([]);
            expect(r.journal()).toEqual([]);
            expect(out.stderr).toMatch(/^mikado: (Refusing to run|.*Unexpected)/);
            seen.refused++;
          } else {
            expect(out.stderr).toBe('');
            expect(out.code).toBe(0);
            expect(ran).toEqual(expectedMarkers(cards, target));
            seen.ran++;
            if (mutations.length > 0) seen.ranAfterMutation++;
          }
        } finally {
          r.remove();
          rmSync(outside, { recursive: true, force: true });
        }
      }),
      { numRuns: 16, seed: 20261206, endOnFailure: true },
    );
  });
});
