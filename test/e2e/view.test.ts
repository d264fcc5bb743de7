import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, copyFixture, FIXTURES, mikado, tempDir } from './check-helpers.ts';

afterAll(cleanup);

const IMMICH = 'migrate-immich-to-ringtail';
const ESC = '\u001b[';

describe('mikado view: the chain list', () => {
  it('prints a table of active chains with counts and ready leaves', () => {
    const root = copyFixture('chain-immich');
    expect(mikado(['view'], { cwd: root })).toEqual([
      0,
      [
        'GOAL                        TITLE                       BRANCH       OPEN  READY',
        'migrate-immich-to-ringtail  Migrate Immich to ringtail  not started  6/6   cnpg-on-ringtail, sifaka-nfs-from-ringtail',
        '',
      ].join('\n'),
      '',
    ]);
  });

  it('counts a shared prerequisite once and leaves complete cards out of the open count', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const [code, out] = mikado(['view'], { cwd: root });
    expect(code).toBe(0);
    expect(out).toContain('goal  The goal  not started  3/4   shared');
  });

  it('shows the branch of a started goal', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const goal = path.join(root, 'docs/cards/goal.md');
    writeFileSync(
      goal,
      readFileSync(goal, 'utf8').replace('status: active', 'status: active\nbranch: mikado/goal'),
    );
    expect(mikado(['view'], { cwd: root })[1]).toContain('goal  The goal  mikado/goal  3/4');
  });

  it('prints cycles first, also a cycle of active cards that has no goal', () => {
    const root = copyFixture('cycle-active-only');
    const [code, out] = mikado(['view'], { cwd: root });
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^✗ cycle: a → b → c → a/);
    expect(out).toContain('No active chains under docs/cards (3 cards).');
  });

  it('finds cards anywhere under docs with `cards: docs`, leaving changelog.d out', () => {
    const root = copyFixture('docs-tree-mixed');
    const [code, out, err] = mikado(['view'], { cwd: root });
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^move-db +Move the database +not started +1\/1 +backup-first$/m);
  });

  it('reads a config that needs the yaml package and an exclude that needs picomatch', () => {
    // Both load on first use from dist/lib/ (the simple config above needs neither).
    const root = copyFixture('docs-tree-mixed');
    // a card problem the view would report, were the file not excluded
    writeFileSync(path.join(root, 'docs/changelog.d/1.2.0.md'), '---\ntitle: unclosed\n');
    writeFileSync(
      path.join(root, 'mikado.config.yaml'),
      [
        'cards: docs',
        'exclude:',
        '  - "**/changelog.d/*.md"',
        'profiles:',
        '  local:',
        '    vars: {ctx: minikube}',
        '',
      ].join('\n'),
    );
    const [code, out, err] = mikado(['view'], { cwd: root });
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^move-db +Move the database +not started +1\/1 +backup-first$/m);
  });

  it('lets --cards override the config', () => {
    const root = copyFixture('docs-tree-mixed');
    const [code, out] = mikado(['--cards', 'docs/plans', 'view'], { cwd: root });
    expect(code).toBe(0);
    expect(out).toContain('move-db');
  });

  it('says so when the cards root has no chain', () => {
    const root = tempDir();
    mikado(['view'], { cwd: root });
    writeFileSync(path.join(root, 'README.md'), '# hi\n');
    const [code, out] = mikado(['--cards', '.', 'view'], { cwd: root });
    expect([code, out]).toEqual([0, 'No active chains under . (1 card).\n']);
  });
});

describe('mikado view CARD: the chain walk', () => {
  it('prints active cards in full, faithfully, wikilinks and brackets intact', () => {
    const root = copyFixture('chain-immich');
    const [code, out, err] = mikado(['view', IMMICH], { cwd: root });
    expect([code, err]).toEqual([0, '']);
    for (const file of [
      'migrate-immich-to-ringtail',
      'cnpg-on-ringtail',
      'immich-pg-data-migration',
    ]) {
      const text = readFileSync(
        path.join(FIXTURES, 'chain-immich/docs/cards', `${file}.md`),
        'utf8',
      );
      const body = text.slice(text.indexOf('\n---\n') + 5).trim();
      expect(out).toContain(body);
    }
    expect(out).toContain(
      'Keep [brackets] and [[cnpg-on-ringtail|wikilinks]] as written: `[[not-a-link]]`.',
    );
    expect(out.split('\n').slice(0, 2)).toEqual([
      'migrate-immich-to-ringtail: Migrate Immich to ringtail',
      'not started · 6 of 6 prerequisites open · ready: cnpg-on-ringtail, sifaka-nfs-from-ringtail',
    ]);
  });

  it('shows a shared prerequisite once and refers to it after, complete cards on one line', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const [, out] = mikado(['view', 'goal'], { cwd: root });
    expect(out.match(/━━ .* shared — /g)).toHaveLength(1);
    expect(out).toContain('1.2.1 ↑ shared — shown above as 1.1.1');
    expect(out).toContain('1.1.1.1 ✓ done — Already done (complete)');
    expect(out).not.toContain('Finished last week.');
  });

  it('prints complete cards in full with --all', () => {
    const root = copyFixture('chain-shared-prerequisite');
    const [, out] = mikado(['view', 'goal', '--all'], { cwd: root });
    expect(out).toContain('━━ 1.1.1.1 ✓ done — Already done (complete)');
    expect(out).toContain('Finished last week.');
  });

  it('marks missing prerequisites', () => {
    const root = copyFixture('requires-unknown-stem');
    const [code, out] = mikado(['view', 'goal'], { cwd: root });
    expect(code).toBe(0);
    expect(out).toContain('missing: cnpg-on-ringtial (required by goal), ghost (required by goal)');
    expect(out).toContain('1.2 ✗ ghost — missing: no card with this stem');
  });

  it('prints the cycle first in the walk', () => {
    const root = copyFixture('cycle-below-goal');
    const [, out] = mikado(['view', 'goal'], { cwd: root });
    expect(out.startsWith('✗ cycle: p → q → p')).toBe(true);
  });

  it('exits 2 with a hint for an unknown card, without a stack trace', () => {
    const root = copyFixture('chain-immich');
    const [code, out, err] = mikado(['view', 'immich'], { cwd: root });
    expect([code, out]).toEqual([2, '']);
    expect(err).toMatch(
      /^mikado: Unexpected card `immich`, expected the stem of a card under docs\/cards\n {2}fix: Did you mean `/,
    );
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('mikado view --format', () => {
  it('tree: a compact tree with status marks', () => {
    const root = copyFixture('chain-shared-prerequisite');
    expect(mikado(['view', 'goal', '--format', 'tree'], { cwd: root })[1]).toBe(
      [
        '● goal  The goal',
        '├── ● left  Left side',
        '│   └── ▶ shared  Shared prerequisite (ready)',
        '│       └── ✓ done  Already done',
        '└── ● right  Right side',
        '    └── ↑ shared (shown above)',
        '',
        '▶ ready  ● active  ✓ complete  ✗ missing  ↑ shown above',
        '',
      ].join('\n'),
    );
  });

  it('tree without a card: one tree per goal', () => {
    const root = copyFixture('chain-immich');
    const [code, out] = mikado(['view', '--format', 'tree'], { cwd: root });
    expect(code).toBe(0);
    expect(out.startsWith(`● ${IMMICH}`)).toBe(true);
  });

  it('mermaid: a fenced flowchart with one node per card and state classes', () => {
    const root = copyFixture('chain-immich');
    const [code, out] = mikado(['view', IMMICH, '--format', 'mermaid'], { cwd: root });
    expect(code).toBe(0);
    expect(out.startsWith('```mermaid\nflowchart TD\n')).toBe(true);
    expect(out.endsWith('```\n')).toBe(true);
    expect(out.match(/^ {2}n\d+\[".*"\]:::(ready|active|complete|missing)$/gm)).toHaveLength(7);
    expect(out.match(/^ {2}n\d+ --> n\d+$/gm)).toHaveLength(12);
    expect(out).toContain('n1["cnpg-on-ringtail<br/>CNPG operator on ringtail"]:::ready');
  });

  it('mermaid and dot list cycles first and paint cycle edges', () => {
    const root = copyFixture('cycle-below-goal');
    const mermaid = mikado(['view', 'goal', '--format', 'mermaid'], { cwd: root })[1];
    expect(mermaid.split('\n').slice(0, 3)).toEqual([
      '```mermaid',
      'flowchart TD',
      '  %% cycle: p -> q -> p',
    ]);
    expect(mermaid).toMatch(/linkStyle 1,2 stroke:#b91c1c/);
    const dot = mikado(['view', 'goal', '--format', 'dot'], { cwd: root })[1];
    expect(dot.split('\n')[0]).toBe('// cycle: p -> q -> p');
    expect(dot).toMatch(/^ {2}n\d+ -> n\d+ \[color="#b91c1c", penwidth=2\];$/m);
    expect(dot).toMatch(/^ {2}n\d+ \[label="q\\nQ", tooltip="q: active"/m);
  });

  it('dot: a digraph with one node per card and one edge per requires entry', () => {
    const root = copyFixture('chain-immich');
    const [, out] = mikado(['view', IMMICH, '--format', 'dot'], { cwd: root });
    expect(out.startsWith('digraph mikado {\n')).toBe(true);
    expect(out.trimEnd().endsWith('}')).toBe(true);
    expect(out.match(/^ {2}n\d+ \[label=/gm)).toHaveLength(7);
    expect(out.match(/^ {2}n\d+ -> n\d+;$/gm)).toHaveLength(12);
  });

  it('json: exactly the versioned shape of SPEC §4', () => {
    const root = copyFixture('chain-immich');
    const [code, out] = mikado(['view', '--format', 'json'], { cwd: root });
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(Object.keys(doc)).toEqual(['version', 'cards', 'roots', 'chains', 'cycles', 'missing']);
    expect(doc.version).toBe(1);
    expect(doc.roots).toEqual([IMMICH]);
    expect(Object.keys(doc.cards)).toEqual([...Object.keys(doc.cards)].sort());
    expect(doc.cards['cnpg-on-ringtail']).toEqual({
      title: 'CNPG operator on ringtail',
      path: 'docs/cards/cnpg-on-ringtail.md',
      status: 'active',
      branch: null,
      requires: [],
      requiredBy: ['immich-pg-on-ringtail', IMMICH],
      links: ['immich-pg-on-ringtail'],
      blocks: [
        { name: 'install-operator', line: 12, verify: false, confirm: true, timeout: '10m' },
        { name: 'cnpg-on-ringtail#2', line: 16, verify: true, confirm: false, timeout: null },
      ],
    });
    const chain = doc.chains[IMMICH];
    expect(Object.keys(chain)).toEqual(['activeDeps', 'totalDeps', 'readyLeaves', 'order']);
    expect([chain.activeDeps, chain.totalDeps, chain.readyLeaves]).toEqual([
      6,
      6,
      ['cnpg-on-ringtail', 'sifaka-nfs-from-ringtail'],
    ]);
    expect(chain.order.at(-1)).toBe(IMMICH);
    expect(chain.order.indexOf('cnpg-on-ringtail')).toBeLessThan(
      chain.order.indexOf('immich-pg-on-ringtail'),
    );
    expect([doc.cycles, doc.missing]).toEqual([[], []]);
    expect(mikado(['view', '--json'], { cwd: root })[1]).toBe(out);
  });

  it('json: cycles and missing stems', () => {
    const cyc = JSON.parse(mikado(['view', '--json'], { cwd: copyFixture('cycle-below-goal') })[1]);
    expect(cyc.cycles).toEqual([['p', 'q', 'p']]);
    const miss = JSON.parse(
      mikado(['view', '--json'], { cwd: copyFixture('requires-unknown-stem') })[1],
    );
    expect(miss.missing).toEqual([
      ['goal', 'cnpg-on-ringtial'],
      ['goal', 'ghost'],
    ]);
  });

  it('rejects an unknown format with exit 2', () => {
    const root = copyFixture('chain-immich');
    const [code, , err] = mikado(['view', '--format', 'png'], { cwd: root });
    expect(code).toBe(2);
    expect(err).toMatch(/argument 'png' is invalid/);
  });
});

describe('mikado view: colours', () => {
  const root = (): string => copyFixture('chain-shared-prerequisite');

  it('has no colour when stdout is not a terminal', () => {
    const [, out] = mikado(['view', 'goal'], { cwd: root(), env: { NO_COLOR: undefined } });
    expect(out).not.toContain(ESC);
  });

  it('colours with FORCE_COLOR, and NO_COLOR and --no-color win over it', () => {
    const r = root();
    expect(
      mikado(['view', 'goal'], { cwd: r, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })[1],
    ).toContain(ESC);
    expect(
      mikado(['view', 'goal'], { cwd: r, env: { NO_COLOR: '1', FORCE_COLOR: '1' } })[1],
    ).not.toContain(ESC);
    expect(
      mikado(['--no-color', 'view', 'goal'], {
        cwd: r,
        env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
      })[1],
    ).not.toContain(ESC);
  });
});
