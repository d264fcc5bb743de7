// The helpers `ts run` blocks import from 'mikado-docs/blocks' (src/blocks): verdicts, waiting, commands,
// port-forwards (through a kubectl stand-in script), HTTP, and holding off writes on a real
// PostgreSQL server.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { type PgServer, startTestPg } from '@mikado-docs/sandbox';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { diffRows, formatRowDifferences } from '../src/blocks/diff-rows.ts';
import { fetchFirstJson } from '../src/blocks/fetch-json.ts';
import { freezeWrites } from '../src/blocks/freeze-writes.ts';
import { pushedRevision, repositoryKey } from '../src/blocks/git-revision.ts';
import { startPortForward } from '../src/blocks/port-forward.ts';
import { PreflightError, runPreflight } from '../src/blocks/preflight.ts';
import { requireRecorded } from '../src/blocks/require-recorded.ts';
import { CommandError, runCommand } from '../src/blocks/run-command.ts';
import { streamToFile } from '../src/blocks/stream-to-file.ts';
import {
  findVerdict,
  recordVerdict,
  requireVerdict,
  type VerdictApi,
  VerdictError,
} from '../src/blocks/verdict.ts';
import { nextPause, waitFor } from '../src/blocks/wait-for.ts';
import { RunError } from '../src/errors.ts';
import { tempDir } from './helpers/temp-dir.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A PostgreSQL server of the test's own, stopped and removed after it.
 * @param prefix names its temp directory
 * @returns the server and its connection string
 */
async function startPg(prefix: string): Promise<{ server: PgServer; connectionString: string }> {
  const { server, stop } = await startTestPg(prefix);
  cleanups.push(stop);
  return { server, connectionString: server.connectionString() };
}

function fakeApi(runId: string, values = new Map<string, unknown>()): VerdictApi {
  return {
    runId,
    profile: 'sandbox',
    card: { stem: 'immich-cutover-and-decommission', path: 'docs/cards/x.md' },
    block: { name: 'free-tailnet-name', index: 3, line: 10, verify: false, confirm: true },
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    set: (key: string, value: unknown) => {
      values.set(key, JSON.parse(JSON.stringify(value)));
    },
  };
}

describe('verdicts', () => {
  it('accepts a passing verdict of this run only', () => {
    const journal = new Map<string, unknown>();
    const run1 = fakeApi('run-1', journal);
    recordVerdict(run1, 'immich.final-sync', { ok: true, summary: 'all equal' });
    expect(requireVerdict(run1, 'immich.final-sync').summary).toBe('all equal');
    const run2 = fakeApi('run-2', journal);
    expect(() => requireVerdict(run2, 'immich.final-sync', { rerun: 'verify-final-sync' })).toThrow(
      /no verification `immich.final-sync` in this run \(run-2\); the latest, from run run-1 .* passed/,
    );
    try {
      requireVerdict(run2, 'immich.final-sync', { rerun: 'verify-final-sync' });
    } catch (e) {
      expect(e).toBeInstanceOf(VerdictError);
      expect((e as VerdictError).fix).toContain('--from verify-final-sync');
    }
    // An explicitly named run's verdict counts.
    expect(requireVerdict(run2, 'immich.final-sync', { run: 'run-1' }).run).toBe('run-1');
  });

  it('refuses after a failing verdict of this run, naming the failure', () => {
    const api = fakeApi('run-3');
    recordVerdict(api, 'immich.final-sync', {
      ok: false,
      summary: "table public.assets: content differs in id > 'a'",
    });
    expect(findVerdict(api, 'immich.final-sync')?.ok).toBe(false);
    expect(() => requireVerdict(api, 'immich.final-sync')).toThrow(
      /of this run \(run-3\) failed: table public.assets: content differs/,
    );
    expect(() => requireVerdict(fakeApi('run-4'), 'other')).toThrow(
      /no verification `other` in the journal/,
    );
  });
});

describe('waitFor', () => {
  it('polls until the check passes and times out naming the last reason', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3 || `attempt ${n}`, { what: 'three', intervalMs: 5 });
    expect(n).toBe(3);
    await expect(
      waitFor(() => 'still replaying', { what: 'the replica', timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow(/Timed out waiting for the replica .*last: still replaying/);
  });

  it('checks again after 0.1 s first, doubling the pause up to intervalMs', () => {
    const pauses = (interval: number, n: number): number[] => {
      const out: number[] = [];
      let last = 0;
      while (out.length < n) {
        last = nextPause(last, interval);
        out.push(last);
      }
      return out;
    };
    expect(pauses(1000, 7)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(pauses(200, 3)).toEqual([100, 200, 200]);
    expect(pauses(5, 2)).toEqual([5, 5]);
  });
});

describe('runCommand and streamToFile', () => {
  it('returns output, and fails with the command, exit code and stderr', async () => {
    const { stdout } = await runCommand('sh', ['-c', 'cat; echo out'], { input: 'in\n' });
    expect(stdout).toBe('in\nout\n');
    const err = await runCommand('sh', ['-c', 'echo boom >&2; exit 3']).catch((e) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.message).toMatch(/`sh -c echo boom >&2; exit 3` exited with code 3:\nboom/);
    expect(err.exitCode).toBe(3);
  });

  it('writes binary output byte for byte', async () => {
    const t = tempDir('blocks');
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'sub', 'out.bin');
    const bytes = await streamToFile('sh', ['-c', 'printf "\\000\\377\\200abc"'], file);
    expect(bytes).toBe(6);
    expect([...readFileSync(file)]).toEqual([0, 255, 128, 97, 98, 99]);
    await expect(streamToFile('sh', ['-c', 'exit 2'], file)).rejects.toThrow(/exited with code 2/);
  });
});

describe('startPortForward', () => {
  it('waits for kubectl (a stand-in script) to listen and stops it on close', async () => {
    const t = tempDir('blocks');
    cleanups.push(t.cleanup);
    const argsFile = path.join(t.dir, 'args');
    const script = path.join(t.dir, 'kubectl');
    writeFileSync(
      script,
      `#!/bin/sh\necho "$@" > ${argsFile}\necho "Forwarding from 127.0.0.1:45678 -> 5432"\nexec sleep 60\n`,
    );
    chmodSync(script, 0o755);
    const oldPath = process.env['PATH'];
    process.env['PATH'] = `${t.dir}:${oldPath}`;
    cleanups.push(() => {
      process.env['PATH'] = oldPath;
    });
    const fwd = await startPortForward({
      context: 'k3s-ringtail',
      namespace: 'databases',
      resource: 'svc/immich-pg-rw',
      remotePort: 5432,
    });
    expect(fwd.port).toBe(45678);
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(
      '--context=k3s-ringtail -n databases port-forward --address=127.0.0.1 svc/immich-pg-rw :5432',
    );
    await fwd.close();
    writeFileSync(script, '#!/bin/sh\necho "error: no such service" >&2\nexit 1\n');
    await expect(
      startPortForward({ context: 'c', resource: 'svc/x', remotePort: 1 }),
    ).rejects.toThrow(/exited with code 1:\nerror: no such service/);
  });
});

describe('fetchFirstJson', () => {
  it('skips 404 paths, sends headers, and fails on other statuses', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/api/server-info/version') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ major: 1, key: req.headers['x-api-key'] }));
      } else if (req.url === '/denied') {
        res.statusCode = 401;
        res.end();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}`;
    const got = await fetchFirstJson<{ major: number; key: string }>(
      base,
      ['/api/server/version', '/api/server-info/version'],
      { 'x-api-key': 'k' },
    );
    expect(got).toEqual({ path: '/api/server-info/version', body: { major: 1, key: 'k' } });
    await expect(fetchFirstJson(base, ['/denied'])).rejects.toThrow(/answered 401/);
    await expect(fetchFirstJson(base, ['/a', '/b'])).rejects.toThrow(/none of \/a, \/b exists/);
  });
});

describe('pushedRevision', () => {
  it('refuses a checkout without the remote the Applications read, an unpushed commit and a missing path; returns the pushed sha', async () => {
    const t = tempDir('blocks');
    cleanups.push(t.cleanup);
    const git = (...args: string[]) =>
      runCommand('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: t.dir });
    await git('init', '-q', '-b', 'work');
    writeFileSync(path.join(t.dir, 'f'), 'x');
    await git('add', 'f');
    await git('commit', '-qm', 'c');
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
    const forge = path.join(t.dir, 'forge.git');
    await runCommand('git', ['init', '-q', '--bare', forge]);
    const noRemote = pushedRevision(t.dir, { repoURL: forge });
    await expect(noRemote).rejects.toThrow(
      /Unexpected checkout without a remote for .*forge\.git \(remotes: none\)/,
    );
    await expect(pushedRevision(t.dir)).rejects.toMatchObject({
      fix: expect.stringContaining('`git remote add origin <the repository ArgoCD reads>`'),
    });
    await git('remote', 'add', 'elsewhere', path.join(t.dir, 'nowhere'));
    await expect(pushedRevision(t.dir, { repoURL: forge })).rejects.toMatchObject({
      fix: `Add it and push: \`git remote add origin ${forge}\`, then \`git push -u origin HEAD\`.`,
    });
    await git('remote', 'add', 'origin', forge);
    await expect(pushedRevision(t.dir, { repoURL: forge })).rejects.toThrow(RunError);
    await expect(pushedRevision(t.dir, { repoURL: forge })).rejects.toMatchObject({
      message: expect.stringMatching(/unpushed commit/),
      fix: 'Push the branch: `git push -u origin HEAD`, then run again.',
    });
    await git('push', '-q', '-u', 'origin', 'HEAD');
    expect(await pushedRevision(t.dir, { repoURL: forge, paths: ['f'] })).toBe(sha);
    await expect(pushedRevision(t.dir, { repoURL: forge, paths: ['manifests/x'] })).rejects.toThrow(
      /without `manifests\/x`/,
    );
  });

  it('compares repositories by host and path, whatever the spelling', () => {
    const key = 'forge.ops.eblu.me/eblume/blumeops';
    for (const url of [
      'https://forge.ops.eblu.me/eblume/blumeops.git',
      'https://forge.ops.eblu.me/eblume/blumeops',
      'ssh://git@forge.ops.eblu.me:2222/eblume/blumeops.git',
      'git@forge.ops.eblu.me:eblume/blumeops.git',
      'https://Forge.Ops.Eblu.Me/eblume/blumeops/',
    ]) {
      expect(repositoryKey(url), url).toBe(key);
    }
    expect(repositoryKey('https://forge.ops.eblu.me/eblume/other.git')).not.toBe(key);
  });
});

describe('requireRecorded', () => {
  it('returns a recorded value, and refuses a missing or cleared one with the restart command or the recorded advice', () => {
    const values = new Map<string, unknown>([['immich.quiesced', { at: 1 }]]);
    const api = { ...fakeApi('run-1', values), log: () => undefined };
    expect(requireRecorded(api, 'immich.quiesced', { from: 'quiesce' })).toEqual({ at: 1 });
    values.set('immich.quiesced', null);
    expect(() => requireRecorded(api, 'immich.quiesced', { from: 'quiesce' })).toThrow(
      /Refusing `immich-cutover-and-decommission:free-tailnet-name`: no `immich.quiesced` in the journal/,
    );
    try {
      requireRecorded(api, 'immich.quiesced', { from: 'quiesce' });
    } catch (e) {
      expect((e as RunError).fix).toContain(
        '`mikado run immich-cutover-and-decommission --profile sandbox --from quiesce --force`',
      );
    }
    expect(() =>
      requireRecorded(api, 'immich.quiesced', { from: 'quiesce', advice: 'Copy it again first.' }),
    ).toThrow(expect.objectContaining({ fix: 'Copy it again first.' }));
  });
});

describe('runPreflight', () => {
  it('runs every check, logs each, and refuses with every failure and its fix', async () => {
    const lines: string[] = [];
    const api = { log: (...a: unknown[]) => lines.push(a.join(' ')) };
    const ok = async () => ({ ok: true, detail: 'fine' });
    await expect(runPreflight(api, { a: ok })).resolves.toMatchObject({ a: { ok: true } });
    const run = runPreflight(api, {
      a: ok,
      b: async () => ({ ok: false, detail: 'broken', fix: 'mend it' }),
      c: async () => {
        throw new RunError('exploded', { fix: 'defuse it' });
      },
    });
    await expect(run).rejects.toThrow(PreflightError);
    await expect(run).rejects.toThrow(
      /2 of 3 checks failed; nothing was changed:\n {2}b: broken\n {4}fix: mend it\n {2}c: exploded\n {4}fix: defuse it/,
    );
    expect(lines.slice(1)).toEqual(['ok   a: fine', 'FAIL b: broken', 'FAIL c: exploded']);
  });
});

describe('freezeWrites (real PostgreSQL)', () => {
  it('holds writers off while frozen, lets readers through, and releases them', async () => {
    const { connectionString } = await startPg('blocks-pg');
    const setup = new pg.Client({ connectionString });
    await setup.connect();
    await setup.query('create table t (id int primary key); insert into t values (1)');
    const freeze = await freezeWrites({ connectionString });
    expect(freeze.tables).toEqual(['public.t']);
    expect(freeze.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const writer = new pg.Client({ connectionString });
    await writer.connect();
    let written = false;
    const write = writer.query('insert into t values (2)').then(() => {
      written = true;
    });
    // The writer waits on a lock (not merely slow): PostgreSQL says so.
    await waitFor(
      async () =>
        (
          await setup.query(
            "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into t%'",
          )
        ).rows[0].n === 1,
      { what: 'the writer to wait on the lock', timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(written).toBe(false);
    expect((await setup.query('select count(*)::int as n from t')).rows[0].n).toBe(1);
    await freeze.release();
    await write;
    expect((await setup.query('select count(*)::int as n from t')).rows[0].n).toBe(2);
    await writer.end();
    await setup.end();
  });
});

describe('diffRows (real PostgreSQL)', () => {
  it('lists by primary key the rows the second database wrote, changed and deleted, with their content', async () => {
    const { server, connectionString } = await startPg('blocks-diff');
    const schema =
      'create table albums (id int primary key, name text); create table pairs (a int, b int, note text, primary key (a, b)); create table log (line text)';
    for (const db of ['a', 'b']) await server.query(`create database ${db}`);
    const url = (db: string) => connectionString.replace(/\/postgres$/, `/${db}`);
    for (const db of ['a', 'b']) {
      await server.query(schema, [], db);
      await server.query(
        "insert into albums values (1, 'one'), (2, 'two'), (3, 'three'); insert into pairs values (1, 1, 'x'); insert into log values ('l')",
        [],
        db,
      );
    }
    await server.query(
      "insert into albums values (4, 'made on b'); update albums set name = 'TWO' where id = 2; delete from albums where id = 3; insert into pairs values (1, 2, 'y'); insert into log values ('m')",
      [],
      'b',
    );
    const diff = await diffRows(url('a'), url('b'));
    expect(diff.tables).toEqual([
      {
        table: 'public.albums',
        key: ['id'],
        onlyInTarget: ['4'],
        changed: ['2'],
        onlyInSource: ['3'],
        rows: { '2': { id: 2, name: 'TWO' }, '4': { id: 4, name: 'made on b' } },
      },
      {
        table: 'public.pairs',
        key: ['a', 'b'],
        onlyInTarget: ['1,2'],
        changed: [],
        onlyInSource: [],
        rows: { '1,2': { a: 1, b: 2, note: 'y' } },
      },
    ]);
    expect(diff.unkeyed).toEqual(['public.log']);
    expect(formatRowDifferences(diff)).toEqual([
      'public.albums [id]: 1 written (4), 1 changed (2), 1 deleted (3)',
      'public.pairs [a, b]: 1 written (1,2)',
      'public.log: differs (no primary key to list rows by)',
    ]);
    expect((await diffRows(url('a'), url('a'))).tables).toEqual([]);
  });
});

describe("the built library's start (what every block pays)", () => {
  it('loads pg only when a block makes a database client', () => {
    // pg is a CommonJS package: once loaded, it is in require.cache.
    const script = (make: boolean) => `
      const lib = await import(${JSON.stringify(path.resolve(import.meta.dirname, '../dist/index.js'))});
      ${make ? "await lib.diffRows('postgresql://127.0.0.1:1/none', 'postgresql://127.0.0.1:1/none').catch(() => {});" : ''}
      const { createRequire } = await import('node:module');
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(cache.some((f) => f.includes('/node_modules/pg/')));`;
    const loaded = (make: boolean) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script(make)], {
        encoding: 'utf8',
      }).trim();
    expect(loaded(false)).toBe('false');
    expect(loaded(true)).toBe('true');
  });

  it('mikado-docs/blocks loads the helpers without the Markdown, graph and view code', () => {
    // The bundled packages in the files an import loads: esbuild marks each package's code in a
    // bundle with a `// node_modules/<name>/` comment. A loader hook logs every file loaded.
    const t = tempDir('blocks-entry');
    const log = path.join(t.dir, 'loaded.txt');
    writeFileSync(
      path.join(t.dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
       export async function load(url, context, next) {
         appendFileSync(${JSON.stringify(log)}, url + '\\n');
         return next(url, context);
       }`,
    );
    writeFileSync(
      path.join(t.dir, 'register.mjs'),
      "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);",
    );
    const packagesLoaded = (specifier: string): Set<string> => {
      writeFileSync(log, '');
      execFileSync(
        process.execPath,
        [
          '--import',
          path.join(t.dir, 'register.mjs'),
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(specifier)})`,
        ],
        { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' },
      );
      const files = readFileSync(log, 'utf8')
        .split('\n')
        .filter((u) => u.startsWith('file://'))
        .map((u) => readFileSync(new URL(u), 'utf8'));
      return new Set(
        files.flatMap((f) => [...f.matchAll(/^\/\/ node_modules\/([^/]+)\//gm)].map((m) => m[1]!)),
      );
    };
    const heavy = ['remark-parse', 'unified', 'graphology', 'micromark', 'yaml'];
    const whole = packagesLoaded('mikado-docs');
    // (the whole library's start loads the Markdown parser: the path under test is measured)
    expect(['remark-parse', 'unified', 'micromark'].filter((p) => !whole.has(p))).toEqual([]);
    const blocks = packagesLoaded('mikado-docs/blocks');
    expect(heavy.filter((p) => blocks.has(p))).toEqual([]);
    t.cleanup();
  });

  it('exports every helper the shipped cards import from mikado-docs/blocks', async () => {
    const cards = path.resolve(import.meta.dirname, '../docs/cards/immich');
    const imported = new Set<string>();
    for (const f of readdirSync(cards).filter((n) => n.endsWith('.md'))) {
      const text = readFileSync(path.join(cards, f), 'utf8');
      for (const m of text.matchAll(/import \{([^}]*)\} from 'mikado-docs\/blocks'/g)) {
        for (const name of m[1]!.split(',')) if (name.trim()) imported.add(name.trim());
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    const lib = await import(path.resolve(import.meta.dirname, '../dist/blocks.js'));
    expect([...imported].filter((n) => !(n in lib))).toEqual([]);
  });
});
