// Long output goes through a pager on a terminal, as git's does: `MIKADO_PAGER`, `PAGER`, else
// `less -FRX`; never when stdout is piped or with `--no-pager`. The terminal is a pseudo-terminal
// from `script`; the pagers are scripts that record what they were given.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runMikado, testEnv } from '../helpers/binary.ts';
import { cleanup, copyFixture, tempDir } from './check-helpers.ts';

afterAll(cleanup);

const root = copyFixture('chain-shared-prerequisite');
const bin = tempDir('pager-bin');
const log = path.join(bin, 'paged.txt');
// A pager that keeps its arguments and its input; and a `less` that does the same.
const recorder = `#!/bin/sh\necho "$(basename "$0") $*" > "${log}.args"\ncat > "${log}"\n`;
for (const name of ['record-pager', 'less']) {
  writeFileSync(path.join(bin, name), recorder);
  chmodSync(path.join(bin, name), 0o755);
}

/** Runs mikado on a pseudo-terminal; returns what reached the terminal. */
function onTerminal(args: string[], env: Record<string, string | undefined>): string {
  for (const f of [log, `${log}.args`]) if (existsSync(f)) writeFileSync(f, '');
  const cmd = [process.execPath, BIN, '--root', root, ...args].map((a) => `'${a}'`).join(' ');
  return execFileSync('script', ['-qec', cmd, '/dev/null'], {
    cwd: root,
    env: testEnv({ TERM: 'dumb', PATH: `${bin}:${process.env['PATH']}`, ...env }),
    encoding: 'utf8',
  }).replace(/\r\n/g, '\n');
}

const paged = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
const pagerArgs = () => readFileSync(`${log}.args`, 'utf8').trim();
const plain = runMikado(['--root', root, 'view', 'goal'], { cwd: root, env: testEnv() });

describe('the pager', () => {
  it('gets the whole output of view on a terminal, from $PAGER', () => {
    expect(plain.stdout).toContain('goal');
    const shown = onTerminal(['view', 'goal'], { PAGER: 'record-pager --from-env' });
    expect(pagerArgs()).toBe('record-pager --from-env');
    expect(paged()).toBe(plain.stdout);
    expect(shown).not.toContain('shared');
  });

  it('is `less -FRX` by default; MIKADO_PAGER comes before PAGER', () => {
    onTerminal(['check'], { PAGER: undefined, MIKADO_PAGER: undefined });
    expect(pagerArgs()).toBe('less -FRX');
    expect(paged()).toMatch(/in \d+ cards\n$/);
    onTerminal(['view'], { PAGER: 'less', MIKADO_PAGER: 'record-pager mine' });
    expect(pagerArgs()).toBe('record-pager mine');
  });

  it('is not used with --no-pager, PAGER=cat or an empty PAGER, or when stdout is piped', () => {
    const direct = onTerminal(['--no-pager', 'view', 'goal'], { PAGER: 'record-pager' });
    expect(paged()).toBe('');
    expect(direct).toBe(plain.stdout);
    onTerminal(['view', 'goal'], { PAGER: 'cat' });
    expect(paged()).toBe('');
    onTerminal(['view', 'goal'], { PAGER: '' });
    expect(paged()).toBe('');
    const piped = runMikado(['--root', root, 'view', 'goal'], {
      cwd: root,
      env: testEnv({ PAGER: 'record-pager', PATH: `${bin}:${process.env['PATH']}` }),
    });
    expect(piped.stdout).toBe(plain.stdout);
    expect(paged()).toBe('');
  });

  it('falls back to writing directly when the pager does not exist', () => {
    const shown = onTerminal(['view', 'goal'], { PAGER: 'no-such-pager-here' });
    expect(shown).toContain(plain.stdout.split('\n')[0]);
  });
});
