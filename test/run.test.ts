import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Block, Card } from '../src/cards/types.ts';
import type { MikadoConfig } from '../src/config/types.ts';
import { RunError } from '../src/errors.ts';
import { NO_PAINT } from '../src/render/paint.ts';
import { appendJournalRecord, foldJournal, readJournal } from '../src/run/journal.ts';
import type { JournalRecord } from '../src/run/journal-types.ts';
import { planRun } from '../src/run/plan-run.ts';
import { isGroupAlive, isProcessAlive, killGroup, processStartTime } from '../src/run/proc.ts';
import { createRedactor, redactText } from '../src/run/redact.ts';
import { resolveProfile } from '../src/run/resolve-profile.ts';
import { acquireRunLock } from '../src/run/run-lock.ts';
import { collectStatus, formatStatus } from '../src/run/run-status.ts';
import { blockHash, transpileBlock } from '../src/run/transpile-block.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mikado-run-unit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function block(name: string, code: string, extra: Partial<Block> = {}): Block {
  return {
    name,
    index: 0,
    line: 5,
    codeLine: 6,
    code,
    verify: false,
    confirm: false,
    attrs: { name },
    ...extra,
  };
}

function card(stem: string, blocks: Block[], status: 'active' | null = 'active'): Card {
  return {
    stem,
    path: `docs/cards/${stem}.md`,
    absPath: `/repo/docs/cards/${stem}.md`,
    tags: [],
    status,
    requires: [],
    frontmatter: {},
    bodyLine: 4,
    body: '',
    headings: [],
    links: [],
    blocks,
    diagnostics: [],
  };
}

const base = { v: 1 as const, run: 'r1', card: 'c', block: 'b' };

describe('journal', () => {
  it('reads records back, ignores a last line cut short, and repairs it before the next append', () => {
    const file = path.join(tmp(), 'j', 'p.jsonl');
    appendJournalRecord(file, { ...base, type: 'set', at: 't1', key: 'k', value: 1 });
    appendFileSync(file, '{"v":1,"type":"se');
    expect(readJournal(file).records).toHaveLength(1);
    expect(readJournal(file).warnings).toEqual([]);
    appendJournalRecord(file, { ...base, type: 'set', at: 't2', key: 'k', value: 2 });
    const read = readJournal(file);
    expect(read.records.map((r) => (r as { value: number }).value)).toEqual([1, 2]);
    expect(read.warnings).toEqual([
      `${file}:2: Unexpected journal line cut short (a crash while it was written), expected a whole record (ignored)`,
    ]);
    expect(read.damaged).toEqual([]);
    expect(foldJournal(read.records).values.get('k')?.value).toBe(2);
  });

  it('folds a block to its end record, else its own exit record, else running', () => {
    const start = (run: string): JournalRecord => ({
      ...base,
      run,
      type: 'block-start',
      at: `${run}-start`,
      path: 'p',
      line: 1,
      hash: 'h',
      pid: 1,
      pgid: 1,
      host: 'h',
      log: 'l',
    });
    const records: JournalRecord[] = [start('r1')];
    expect(foldJournal(records).latest.get('c/b')?.outcome).toBe('running');
    records.push({ ...base, type: 'block-exit', at: 'x', hash: 'h', outcome: 'succeeded' });
    expect(foldJournal(records).latest.get('c/b')).toMatchObject({
      outcome: 'succeeded',
      selfReported: true,
    });
    records.push({
      ...base,
      type: 'block-end',
      at: 'e',
      hash: 'h',
      outcome: 'failed',
      exitCode: 3,
      signal: null,
      durationMs: 5,
      log: 'l',
    });
    records.push(start('r2'));
    const state = foldJournal(records);
    expect(state.history.get('c/b')?.map((a) => a.outcome)).toEqual(['failed', 'running']);
  });
});

describe('redaction', () => {
  it('replaces secrets, also when split across chunks', async () => {
    const secrets = ['hunter2', 'pa55word-long'];
    const chunks = ['token=hun', 'ter2 and pa', '55word-', 'long; hunter', '!'];
    const out: string[] = [];
    const stream = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(createRedactor(secrets));
    stream.setEncoding('utf8');
    for await (const c of stream) out.push(c as string);
    expect(out.join('')).toBe('token=*** and ***; hunter!');
    expect(redactText('a hunter2 b', secrets)).toBe('a *** b');
  });

  it('does not split a multi-byte character between chunks', async () => {
    const bytes = Buffer.from('żółw secret żółw');
    const out: string[] = [];
    const stream = Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]).pipe(
      createRedactor(['secret']),
    );
    stream.setEncoding('utf8');
    for await (const c of stream) out.push(c as string);
    expect(out.join('')).toBe('żółw *** żółw');
  });

  it('replaces every spelling of random secrets, wherever the bytes are split', async () => {
    const zx = (s: string): string =>
      `$'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
    const spellings: [string, (s: string) => string][] = [
      ['raw', (s) => s],
      ['zx', zx],
      ['posix', (s) => `'${s.replace(/'/g, "'\\''")}'`],
      ['json', (s) => JSON.stringify(s)],
      ['nested json', (s) => JSON.stringify(JSON.stringify(s))],
    ];
    const char = fc.constantFrom(...`ab9Z'"\\$\n\t é🔑-`.split(/(?:)/u));
    await fc.assert(
      fc.asyncProperty(
        fc.array(char, { minLength: 3, maxLength: 10 }).map((a) => `${a.join('')}Q`),
        fc.constantFrom(...spellings),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (secret, [, spell], cuts) => {
          const text = `before ${spell(secret)} after`;
          const whole = redactText(text, [secret]);
          expect(whole).not.toContain(spell(secret));
          expect(whole).toContain('***');
          const bytes = Buffer.from(text);
          const edges = [...new Set([0, ...cuts.map((c) => c % bytes.length), bytes.length])].sort(
            (x, y) => x - y,
          );
          const parts = edges.slice(1).map((end, i) => bytes.subarray(edges[i], end));
          const out: string[] = [];
          const stream = Readable.from(parts).pipe(createRedactor([secret]));
          stream.setEncoding('utf8');
          for await (const c of stream) out.push(c as string);
          expect(out.join('')).toBe(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('run lock', () => {
  it('refuses while its owner lives, naming it, and takes over a dead owner', async () => {
    const file = path.join(tmp(), 'locks', 'p.lock');
    const held = acquireRunLock(file, { run: 'a', command: 'mikado run x' });
    let refusal: unknown;
    try {
      acquireRunLock(file, { run: 'b', command: 'mikado run y' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(RunError);
    expect((refusal as RunError).message).toBe(
      `Another run holds the lock for this profile: pid ${process.pid} on ${os.hostname()} since ${held.owner.since} (\`mikado run x\`)`,
    );
    // A lock whose owner is a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(
      file,
      JSON.stringify({ ...held.owner, pid: Number(dead.stdout), procStart: '1', run: 'dead' }),
    );
    const taken = acquireRunLock(file, { run: 'c', command: 'mikado run z' });
    expect(taken.tookOverFrom?.run).toBe('dead');
    taken.release();
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('process groups', () => {
  it('tells a live group from a reused pid, and ends a group with its grandchildren', async () => {
    const child = spawn('sh', ['-c', 'sleep 600 & echo $!; wait'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    const pid = child.pid!;
    const start = processStartTime(pid);
    expect(start).toMatch(/^\d+$/);
    expect(isGroupAlive(pid, start)).toBe(true);
    expect(isGroupAlive(pid, `${start}0`)).toBe(false);
    const exited = new Promise((r) => child.on('exit', r));
    expect(await killGroup(pid, start, 2000)).toBe(false);
    await exited;
    expect(isProcessAlive(grandchild)).toBe(false);
    expect(isGroupAlive(pid, start)).toBe(false);
  });
});

describe('plan', () => {
  const a1 = block('a1', 'one()');
  const a2 = block('a2', 'two()', { verify: true, attrs: { name: 'a2', verify: true } });
  const a3 = block('a3', 'three()', { confirm: true, attrs: { name: 'a3', confirm: true } });
  const c = card('c', [a2, a1, a3]);
  const journal = (records: Omit<JournalRecord, 'v' | 'run' | 'at'>[]): JournalRecord[] =>
    records.map((r) => ({ v: 1, run: 'r', at: 't', ...r }) as JournalRecord);
  const ended = (name: string, outcome: string, hash: string) => ({
    type: 'block-end',
    card: 'c',
    block: name,
    hash,
    outcome,
    exitCode: 0,
    signal: null,
    durationMs: 1,
    log: 'l',
  });
  const input = (records: JournalRecord[], extra = {}) => ({
    order: [c],
    target: 'c',
    profile: 'p',
    state: foldJournal(records),
    defaultTimeoutMs: 1000,
    isAlive: () => false,
    ...extra,
  });

  it('orders verify blocks last and marks done, changed and failed blocks', () => {
    const records = journal([
      ended('a1', 'succeeded', blockHash(a1, 'p')),
      ended('a3', 'succeeded', 'old'),
      ended('a2', 'failed', blockHash(a2, 'p')),
    ] as never);
    const plan = planRun(input(records));
    expect(plan.blocks.map((b) => [b.block.name, b.state, b.why, b.needsConfirm])).toEqual([
      ['a1', 'done', 'done at t', false],
      ['a3', 'run', 'changed since it succeeded at t', true],
      ['a2', 'run', 'failed at t', false],
    ]);
    expect(plan.problems).toEqual([]);
  });

  it('starts at --from, reruns with --force, and blocks everything after a live stale block', () => {
    const done = journal([ended('a1', 'succeeded', blockHash(a1, 'p'))] as never);
    const from = planRun(input(done, { from: 'a3' }));
    expect(from.blocks.map((b) => b.state)).toEqual(['excluded', 'run', 'run']);
    expect(planRun(input(done, { force: true })).blocks.map((b) => b.state)).toEqual([
      'run',
      'run',
      'run',
    ]);
    expect(planRun(input(done, { from: 'nope' })).problems[0]).toMatch(
      /^Unexpected `--from nope`, expected a block of the plan: `a1`, `a3`, `a2`$/,
    );
    const running = journal([
      { type: 'block-start', card: 'c', block: 'a3', hash: 'h', pid: 9, pgid: 9 },
    ] as never);
    const stale = planRun(input(running, { isAlive: () => true }));
    expect(stale.blocks.map((b) => b.state)).toEqual(['run', 'blocked', 'blocked']);
  });

  it('leaves complete cards out unless asked, and hashes code, attributes and profile', () => {
    const done = card('d', [a1], null);
    expect(planRun(input([], { order: [done, c] })).blocks).toHaveLength(3);
    expect(planRun(input([], { order: [done, c], includeComplete: true })).blocks).toHaveLength(4);
    const h = blockHash(a1, 'p');
    expect(blockHash({ ...a1, attrs: { name: 'a1', timeout: '1m' } }, 'p')).not.toBe(h);
    expect(blockHash(a1, 'q')).not.toBe(h);
    expect(blockHash({ ...a1, code: 'one();' }, 'p')).not.toBe(h);
  });
});

describe('profiles and transpiling', () => {
  const config = (profiles: MikadoConfig['profiles'], defaultProfile?: string): MikadoConfig => ({
    root: '/repo',
    cardsDir: '/repo/docs/cards',
    docsDir: '/repo/docs',
    exclude: [],
    baseBranch: 'main',
    defaultTimeoutMs: 1000,
    profiles,
    defaultProfile,
  });

  it('reads secrets from the environment and refuses to guess between profiles', () => {
    const profiles = {
      lab: {
        name: 'lab',
        vars: { ctx: { value: 'k3s' }, pw: { env: 'PW', secret: true } },
        path: ['.mikado/sandbox/bin'],
      },
      home: { name: 'home', vars: {} },
    };
    const p = resolveProfile(config(profiles), 'lab', { PW: 's3' });
    expect(p).toMatchObject({
      vars: { ctx: 'k3s', pw: 's3' },
      secrets: ['s3'],
      pathPrefix: ['/repo/.mikado/sandbox/bin'],
    });
    expect(resolveProfile(config(profiles), 'lab', {}).missing).toEqual(['pw ($PW)']);
    expect(() => resolveProfile(config(profiles), undefined, {})).toThrow(
      /without a profile, expected one of: home, lab/,
    );
    expect(resolveProfile(config({}), undefined, {}).name).toBe('default');
  });

  it('places a syntax error at the card line and column', async () => {
    const c = card('x', []);
    const b = block('x#1', 'let a = 1;\nconst = 2;', { codeLine: 12 });
    await expect(transpileBlock(c, b)).rejects.toThrow(
      'docs/cards/x.md:13:7: Expected identifier but found "=" (block `x#1`)',
    );
  });
});

describe('status', () => {
  it('shows each block once per card: how it ended, changed since, interrupted, never run', () => {
    const one = block('one', 'one()');
    const two = block('two', 'two()');
    const three = block('three', 'three()');
    const c = card('c', [one, two, three]);
    const rec = (r: Partial<JournalRecord> & { type: string }): JournalRecord =>
      ({ v: 1, run: 'r', at: 'T', card: 'c', ...r }) as JournalRecord;
    const records = [
      rec({
        type: 'block-start',
        block: 'one',
        hash: 'stale-hash',
        pid: 1,
        pgid: 1,
      } as never),
      rec({
        type: 'block-end',
        block: 'one',
        hash: 'stale-hash',
        outcome: 'succeeded',
        exitCode: 0,
        signal: null,
        durationMs: 1500,
        log: 'l1',
      } as never),
      rec({ type: 'block-start', block: 'two', hash: 'h', pid: 2, pgid: 2, log: 'l2' } as never),
      rec({ type: 'set', block: 'one', key: 'k', value: [1] } as never),
    ];
    const status = collectStatus(foldJournal(records), [c], {
      profile: 'p',
      journal: '.mikado/journal/p.jsonl',
      isAlive: () => false,
    });
    expect(status.cards[0]?.blocks.map((b) => [b.block, b.state, b.changed ?? false])).toEqual([
      ['one', 'succeeded', true],
      ['two', 'interrupted', true],
      ['three', 'never-run', false],
    ]);
    expect(status.values).toEqual({ k: { value: [1], card: 'c', block: 'one', at: 'T' } });
    const text = formatStatus(status, NO_PAINT);
    expect(text).toContain('✓ one  succeeded  T  1.5s  changed since: runs again');
    expect(text).toContain('✗ two  interrupted  (its runner died while it ran)');
  });
});
