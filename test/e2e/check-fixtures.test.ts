import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, copyFixture, FIXTURES, mikado } from './check-helpers.ts';

// One test per fixture folder with a `check.expected` file: its first line is `# exit N`, the
// rest is the exact stdout of `mikado check` in a copy of the folder. Each runs twice: cold,
// then from the parse cache, and both runs must print the same.
const fixtures = readdirSync(FIXTURES).filter((d) =>
  existsSync(path.join(FIXTURES, d, 'check.expected')),
);

describe('mikado check on fixtures', () => {
  afterAll(cleanup);

  it('has fixtures to run', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it.each(fixtures)('%s', (name) => {
    const root = copyFixture(name);
    const expectedFile = path.join(FIXTURES, name, 'check.expected');
    const cold = mikado(['check'], { cwd: root });
    const warm = mikado(['check'], { cwd: root });
    const actual = `# exit ${cold[0]}\n${cold[1]}`;
    if (process.env['UPDATE_FIXTURES'] === '1') writeFileSync(expectedFile, actual);
    expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    expect(cold[2]).toBe('');
    expect(warm).toEqual(cold);
    expect(existsSync(path.join(root, '.mikado/cache/cards.json'))).toBe(true);
  });
});
