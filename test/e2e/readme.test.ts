// The README as a newcomer meets it on a fresh clone: every command it shows runs, and prints
// what it says (run ids, times and durations aside); every other block is run by the test that
// names its marker; the mise tasks are all named; links lead somewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { testEnv } from '../helpers/binary.ts';
import { fencedBlocks, markedBlock, REPO_ROOT } from '../helpers/readme.ts';
import { NPM_OFFLINE, type SourceRepo, sourceRepo } from './install-helpers.ts';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

let clone: SourceRepo;
let env: NodeJS.ProcessEnv;
/** The README's first command, run once on the fresh clone (every other command needs it). */
let installed: ReturnType<typeof sh>;
const [INSTALL, TEST] = markedBlock('two-commands').trim().split('\n');

/** Runs a README command in the fresh clone. */
function sh(command: string) {
  return spawnSync('sh', ['-c', command], { cwd: clone.dir, env, encoding: 'utf8' });
}

/** Output with the parts that change from run to run replaced. */
function normalise(text: string): string {
  return text
    .replace(/\d{8}T\d{6}Z-[0-9a-f]{4}/g, '<run>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<duration>');
}

beforeAll(() => {
  clone = sourceRepo();
  env = testEnv({
    ...NPM_OFFLINE,
    PATH: `${path.join(clone.dir, 'node_modules/.bin')}:${process.env['PATH']}`,
  });
  installed = sh(INSTALL!.replace(/#.*$/, ''));
}, 400_000);

afterAll(() => clone?.cleanup());

describe('the README', () => {
  it('is short: about 250 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(265);
  });

  it('has its two commands work on a fresh clone', () => {
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('migrate-immich-to-ringtail: Migrate Immich to ringtail');
    // `npm test` cannot run inside `npm test`: it is the package's test script, which .ci/run runs
    // on a fresh clone.
    expect(TEST!.replace(/#.*$/, '').trim()).toBe('npm test');
    expect(
      JSON.parse(readFileSync(path.join(clone.dir, 'package.json'), 'utf8')).scripts.test,
    ).toMatch(/vitest run/);
    expect(readFileSync(path.join(clone.dir, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });

  it('prints what it shows for every command of the tour', () => {
    const consoles = fencedBlocks().filter((b) => b.lang === 'console');
    expect(consoles.length).toBeGreaterThanOrEqual(5);
    for (const block of consoles) {
      const parts = block.text.split(/^\$ (.*)\n/m);
      for (let i = 1; i < parts.length; i += 2) {
        const command = parts[i]!;
        const shown = parts[i + 1] ?? '';
        const res = sh(command);
        expect(res.stderr, `README.md:${block.line}: ${command}`).toBe('');
        expect(normalise(res.stdout), `README.md:${block.line}: ${command}`).toBe(normalise(shown));
      }
    }
  }, 120_000);

  it('runs every other block in the test that names its marker', () => {
    const tests = readdirSync(path.join(REPO_ROOT, 'test/e2e'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(REPO_ROOT, 'test/e2e', f), 'utf8'))
      .join('\n');
    for (const block of fencedBlocks().filter((b) => b.lang !== 'console')) {
      expect(
        block.marker,
        `README.md:${block.line}: a ${block.lang} block without a marker`,
      ).toBeDefined();
      expect(tests, `README.md:${block.line}: no test runs ${block.marker}`).toContain(
        `'${block.marker}'`,
      );
    }
  });

  it('shows the configuration of the docs-tree fixture', () => {
    const fixture = readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/docs-tree-blumeops/mikado.config.yaml'),
      'utf8',
    );
    expect(parse(markedBlock('docs-tree'))).toEqual(parse(fixture));
  });

  it('names every mise task', () => {
    const tasks = [
      ...readFileSync(path.join(REPO_ROOT, 'mise.toml'), 'utf8').matchAll(/^\[tasks\.([\w-]+)\]/gm),
    ].map((m) => m[1]!);
    expect(tasks.length).toBeGreaterThanOrEqual(8);
    for (const t of tasks) expect(README, t).toContain(`\`${t}\``);
  });

  it('links only to files that exist (and the docs pages too)', () => {
    for (const file of [
      'README.md',
      ...readdirSync(path.join(REPO_ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ]) {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        expect(
          existsSync(path.join(REPO_ROOT, path.dirname(file), target!)),
          `${file}: ${target}`,
        ).toBe(true);
      }
    }
  });
});

describe('the mise tasks of this repository', () => {
  it('complete card stems for docs-mikado', () => {
    const res = sh(
      "mise trust -q; mise __complete_word__ --shell bash --line 'mise run docs-mikado immich-pg' --bash-word immich-pg",
    );
    expect(res.stdout).toBe('immich-pg-data-migration\nimmich-pg-on-ringtail\n');
  }, 120_000);
});
