// What a newcomer trips over first: the wrong `--cards`, a card that exists, a card named by its
// path, and a count of problems that must not claim fewer than there are.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { card } from '../helpers/git-repo.ts';
import { cleanup, copyFixture, mikado } from './check-helpers.ts';

afterAll(cleanup);

describe('a file given as the cards root', () => {
  it.each([['view'], ['check']])('`--cards README.md %s` says a directory is expected', (cmd) => {
    const root = copyFixture('chain-shared-prerequisite');
    writeFileSync(path.join(root, 'README.md'), '# hi\n');
    const [code, out, err] = mikado(['--root', root, '--cards', 'README.md', cmd], { cwd: root });
    expect([code, out]).toEqual([2, '']);
    expect(err).toBe(
      'mikado: README.md: Unexpected file `README.md`, expected a directory\n' +
        '  fix: Point `--cards` (or `cards:` in mikado.config.yaml) at the directory that holds the cards, such as `docs/cards`.\n',
    );
  });
});

describe('mikado new on a card that exists', () => {
  it.each([[[]], [['--goal']], [['--for', 'goal']]])('says it exists (%j)', (extra) => {
    const root = copyFixture('chain-shared-prerequisite');
    const [code, , err] = mikado(['--root', root, 'new', 'left', ...extra], { cwd: root });
    expect(code).toBe(2);
    expect(err).toBe(
      'mikado: Unexpected new card `left`: it exists already, `docs/cards/left.md`\n' +
        '  fix: Edit docs/cards/left.md, or pick another stem (stems are unique across the cards root).\n',
    );
  });
});

describe('mikado view CARD-PATH', () => {
  it('shows the card a path names, as `run` accepts paths, from any folder', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const byStem = mikado(['--root', root, 'view', 'left'], { cwd: root });
    expect(byStem[0]).toBe(0);
    expect(mikado(['--root', root, 'view', 'docs/cards/left.md'], { cwd: root })).toEqual(byStem);
    const sub = path.join(root, 'docs');
    expect(mikado(['--root', root, 'view', 'cards/left.md'], { cwd: sub })[1]).toBe(byStem[1]);
    const [code, , err] = mikado(['--root', root, 'view', 'docs/cards/nope.md'], { cwd: root });
    expect([code, err]).toEqual([
      2,
      'mikado: Unexpected card file `docs/cards/nope.md`, expected the path of a card under docs/cards\n' +
        '  fix: Name the card by its stem (`mikado view` lists the chains), or give the path of a card file.\n',
    ]);
  });
});

describe('the problems view mentions', () => {
  it('never counts fewer than it saw, and points at check for the rest', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const cards = path.join(root, 'docs/cards');
    writeFileSync(
      path.join(cards, 'left.md'),
      '---\ntitle: Left\nmodified: 13 May\nstatus: active\nrequires: [ghost, phantom]\n---\n# Left\n\n[[nowhere]]\n',
    );
    writeFileSync(
      path.join(cards, 'p.md'),
      card({ title: 'P', status: 'active', requires: ['q'] }),
    );
    writeFileSync(
      path.join(cards, 'q.md'),
      card({ title: 'Q', status: 'active', requires: ['p'] }),
    );
    const [code, , err] = mikado(['--root', root, 'view'], { cwd: root });
    expect(code).toBe(0);
    // a bad date, two unknown prerequisites, one cycle; the broken link only check sees
    expect(err).toBe(
      'mikado: at least 4 problems in the cards (first: docs/cards/left.md:3:11 Unexpected string `13 May` for `modified`, expected a date `YYYY-MM-DD`); run `mikado check` to list them all\n',
    );
    const check = mikado(['--root', root, 'check'], { cwd: root });
    expect(check[1]).toMatch(/✗ 5 errors/);
  });
});
