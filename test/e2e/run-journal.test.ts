// The journal tells the truth: a run that did not finish is not recorded as succeeded, and a
// damaged journal is refused instead of running completed blocks again.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { CardRun, type RunReporter } from '../../src/run/run-cards.ts';
import { type TempRepo, useTempRepos } from './run-helpers.ts';

const repo = useTempRepos();

const marker = (name: string): string =>
  `import { appendFileSync } from 'node:fs'; appendFileSync('ran.txt', '${name}\\n');`;

/** A committed card `two` with blocks `one` and `two`, run once to success. */
function ranRepo(): TempRepo {
  const r = repo();
  r.card('two', {
    blocks: [
      { meta: 'name=one', code: marker('one') },
      { meta: 'name=two', code: marker('two') },
    ],
  });
  r.commit();
  expect(r.mikado(['run', 'two']).code).toBe(0);
  return r;
}

const journalFile = (r: TempRepo): string => path.join(r.dir, '.mikado/journal/default.jsonl');

describe('the journal', () => {
  it('records a run whose reporter throws as failed, with the reason, and status says so', async () => {
    const r = repo();
    r.card('g', { blocks: [{ meta: 'name=only', code: marker('only') }] });
    r.commit();
    const noop = (): void => {};
    const reporter: RunReporter = {
      plan: noop,
      note: noop,
      cardStart: noop,
      blockSkip: noop,
      blockStart: () => {
        throw new Error('the terminal went away');
      },
      output: noop,
      blockEnd: noop,
      end: noop,
    };
    const run = new CardRun({
      config: loadConfig({ cwd: r.dir }),
      target: 'g',
      cwd: r.dir,
      env: process.env,
      argv: ['run', 'g'],
      reporter,
    });
    await expect(run.start()).rejects.toThrow('the terminal went away');
    const end = r.journal().at(-1);
    expect(end).toMatchObject({
      type: 'run-end',
      outcome: 'failed',
      reason: 'the runner failed: the terminal went away',
    });
    const status = r.mikado(['status']);
    expect(status.stdout).toMatch(/failed/);
    expect(status.stdout).not.toMatch(/succeeded/);
  });

  it('refuses a journal with a damaged middle line, with a repair that works when followed', () => {
    const r = ranRepo();
    const file = journalFile(r);
    const lines = r.read('.mikado/journal/default.jsonl').split('\n');
    lines.splice(2, 0, '{"v":1,"type":"block-end",#garbage}');
    writeFileSync(file, lines.join('\n'));
    for (const args of [
      ['run', 'two'],
      ['run', 'two', '--dry-run'],
    ]) {
      const out = r.mikado(args);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/Unexpected damaged journal: 1 line\(s\)/);
      expect(out.stderr).toContain(`${file}:3: not JSON`);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    }
    expect(r.read('ran.txt')).toBe('one\ntwo\n');
    const fix = /remove them, keeping a backup \(`([^`]+)`\)/.exec(r.mikado(['run', 'two']).stderr);
    execFileSync('sh', ['-c', fix![1]!], { cwd: r.dir });
    const again = r.mikado(['run', 'two']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to run/);
    expect(r.read('ran.txt')).toBe('one\ntwo\n');
  });

  it('refuses well-formed JSON of the wrong shape, and status leaves it out instead of printing undefined', () => {
    const r = ranRepo();
    appendFileSync(
      journalFile(r),
      '{"v":1,"type":"block-end","at":"x","run":"r"}\n["not", "a", "record"]\n',
    );
    const out = r.mikado(['run', 'two']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/:\d+: `card`: Invalid key/);
    expect(out.stderr).toMatch(/:\d+: `type`: Invalid type/);
    const status = r.mikado(['status']);
    expect(status.stdout).not.toMatch(/undefined/);
    expect(status.stderr).toMatch(/Unexpected damaged journal line/);
  });

  it('reads a journal whose line was cut short by a crash and then appended to', () => {
    const r = ranRepo();
    appendFileSync(journalFile(r), '{"v":1,"type":"block-start","at":"2026-01-01T00:0');
    r.write('docs/cards/two.md', r.read('docs/cards/two.md').replace("'two", "'two-again"));
    r.commit('change two');
    const out = r.mikado(['run', 'two']);
    expect(out.code).toBe(0);
    expect(r.read('ran.txt')).toBe('one\ntwo\ntwo-again\n');
    const next = r.mikado(['run', 'two']);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/nothing to run/);
  });

  it('refuses a journal that is a directory with a message and exit 2, never a stack trace', () => {
    const r = repo();
    r.card('g', { blocks: [{ code: marker('g') }] });
    r.commit();
    mkdirSync(journalFile(r), { recursive: true });
    for (const args of [['run', 'g'], ['status']]) {
      const out = r.mikado(args);
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/default\.jsonl: Unexpected EISDIR reading the journal/);
      expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    rmSync(journalFile(r), { recursive: true });
    expect(r.mikado(['run', 'g']).code).toBe(0);
  });
});
