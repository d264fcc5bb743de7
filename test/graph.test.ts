import { describe, expect, it } from 'vitest';
import type { Card } from '../src/cards/types.ts';
import { buildGraph } from '../src/graph/build-graph.ts';
import { cardObject } from './helpers/card-object.ts';

/** A minimal card: `active` unless `done`. */
function card(stem: string, requires: string[] = [], done = false, dir = 'docs/cards'): Card {
  return cardObject(stem, {
    path: `${dir}/${stem}.md`,
    absPath: `/r/${dir}/${stem}.md`,
    title: stem.toUpperCase(),
    status: done ? null : 'active',
    requires,
  });
}

// The Immich chain from the seed.
const immich = [
  card('migrate-immich-to-ringtail', [
    'cnpg-on-ringtail',
    'immich-pg-on-ringtail',
    'immich-pg-data-migration',
    'sifaka-nfs-from-ringtail',
    'immich-app-on-ringtail',
    'immich-cutover-and-decommission',
  ]),
  card('cnpg-on-ringtail'),
  card('immich-pg-on-ringtail', ['cnpg-on-ringtail']),
  card('immich-pg-data-migration', ['immich-pg-on-ringtail']),
  card('sifaka-nfs-from-ringtail'),
  card('immich-app-on-ringtail', ['immich-pg-on-ringtail', 'sifaka-nfs-from-ringtail']),
  card('immich-cutover-and-decommission', ['immich-pg-data-migration', 'immich-app-on-ringtail']),
];

describe('buildGraph', () => {
  it('finds the goal, ready leaves and a topological order of the Immich chain', () => {
    const g = buildGraph(immich);
    expect(g.roots).toEqual(['migrate-immich-to-ringtail']);
    const chain = g.chain('migrate-immich-to-ringtail');
    expect(chain.totalDeps).toBe(6);
    expect(chain.activeDeps).toBe(6);
    expect(chain.readyLeaves).toEqual(['cnpg-on-ringtail', 'sifaka-nfs-from-ringtail']);
    expect(chain.order.at(-1)).toBe('migrate-immich-to-ringtail');
    for (const c of immich) {
      for (const r of c.requires)
        expect(chain.order.indexOf(r)).toBeLessThan(chain.order.indexOf(c.stem));
    }
    expect(g.requiredBy('immich-pg-on-ringtail')).toEqual([
      'immich-app-on-ringtail',
      'immich-pg-data-migration',
      'migrate-immich-to-ringtail',
    ]);
    expect(g.graph.hasEdge('immich-pg-on-ringtail', 'cnpg-on-ringtail')).toBe(true);
    expect([g.cycles, g.missing, g.duplicates]).toEqual([[], [], []]);
  });

  it('counts a shared prerequisite once and skips complete cards when counting active ones', () => {
    const g = buildGraph([
      card('goal', ['a', 'b']),
      card('a', ['shared']),
      card('b', ['shared']),
      card('shared', ['base']),
      card('base', [], true),
    ]);
    expect(g.chain('goal')).toEqual({
      order: ['base', 'shared', 'a', 'b', 'goal'],
      activeDeps: 3,
      totalDeps: 4,
      readyLeaves: ['shared'],
      members: ['a', 'b', 'base', 'goal', 'shared'],
    });
  });

  it('makes a card whose prerequisites are all complete a ready leaf, and the goal too', () => {
    const g = buildGraph([card('goal', ['a']), card('a', [], true)]);
    expect(g.chain('goal').readyLeaves).toEqual(['goal']);
  });

  it('reports missing prerequisites and does not count the card as ready', () => {
    const g = buildGraph([card('goal', ['a', 'ghost']), card('a', ['phantom'])]);
    expect(g.missing).toEqual([
      ['a', 'phantom'],
      ['goal', 'ghost'],
    ]);
    expect(g.chain('goal').readyLeaves).toEqual([]);
  });

  it('reports every cycle with its path, also one of active cards only, which has no goal', () => {
    const g = buildGraph([
      card('x', ['y']),
      card('y', ['z']),
      card('z', ['x']),
      card('goal', ['p']),
      card('p', ['q']),
      card('q', ['p', 'q']),
    ]);
    expect(g.cycles).toEqual([
      ['p', 'q', 'p'],
      ['q', 'q'],
      ['x', 'y', 'z', 'x'],
    ]);
    expect(g.roots).toEqual(['goal']);
    expect(g.chain('goal').order).toEqual(['q', 'p', 'goal']);
  });

  it('reports duplicate stems naming both files, and keeps the first', () => {
    const g = buildGraph([card('a'), card('a', ['b'], false, 'docs/cards/old'), card('b')]);
    expect(g.duplicates).toEqual([
      { stem: 'a', paths: ['docs/cards/a.md', 'docs/cards/old/a.md'] },
    ]);
    expect(g.cards.get('a')?.path).toBe('docs/cards/a.md');
  });

  it('treats an active card required only by complete cards as a goal', () => {
    const g = buildGraph([card('done', ['open'], true), card('open')]);
    expect(g.roots).toEqual(['open']);
  });

  it('returns an empty chain for an unknown stem', () => {
    expect(buildGraph([]).chain('nope')).toEqual({
      order: [],
      activeDeps: 0,
      totalDeps: 0,
      readyLeaves: [],
      members: [],
    });
  });

  it('handles a 20,000-card deep chain without overflowing the stack', () => {
    const cards = Array.from({ length: 20_000 }, (_, i) =>
      card(`c${i}`, i + 1 < 20_000 ? [`c${i + 1}`] : []),
    );
    const g = buildGraph(cards);
    expect(g.roots).toEqual(['c0']);
    expect(g.chain('c0').order.slice(0, 2)).toEqual(['c19999', 'c19998']);
    expect(g.chain('c0').readyLeaves).toEqual(['c19999']);
  });
});
