import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runMikado } from '../helpers/binary.ts';
import { card, cleanupRepos, createRepo, type TestRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('mikado binary', () => {
  it('prints its version', () => {
    const r = runMikado(['--version'], { cwd: process.cwd() });
    expect([r.status, r.stdout.trim()]).toEqual([0, '0.1.0']);
  });

  it('exits 2 on an unknown command', () => {
    const r = runMikado(['no-such-command'], { cwd: process.cwd() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error:/);
  });

  it('ends quietly when the reader of its output stops early (`mikado view | head -1`)', () => {
    const bin = path.resolve(import.meta.dirname, '../../bin/mikado.js');
    const root = path.resolve(import.meta.dirname, '../..');
    const r = spawnSync(
      'bash',
      [
        '-o',
        'pipefail',
        '-c',
        `"${process.execPath}" "${bin}" --root "${root}" view --all migrate-immich-to-ringtail | head -1`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect([r.status, r.stdout.split('\n').length]).toEqual([0, 2]);
  });

  it('loads its start-up code as one chunk (scripts/build.mjs), not one per lazy module', () => {
    const cli = readFileSync(path.resolve(import.meta.dirname, '../../dist/cli.js'), 'utf8');
    const chunks = [...cli.matchAll(/^(?:import|\}) .*"\.\/chunks\/([^"]+)"/gm)].map((m) => m[1]);
    // the start-up chunk and esbuild's runtime helpers
    expect(chunks).toHaveLength(2);
  });

  it('leaves the Markdown parser and the renderers out of the start-up chunk', () => {
    const modules = bundledModules(staticChunks('cli.js'));
    // commander is there: the list is really read
    expect(modules).toContain('node_modules/commander/lib/command.js');
    expect(modules.filter((m) => /\/(micromark|remark-|hast-|mdast-)/.test(m))).toEqual([]);
  });

  it('loads the Markdown parser in the pre-commit hook only for a card the scanner declines', () => {
    const r = createRepo({ install: false });
    r.commitNoVerify('cards', { 'docs/cards/a.md': card({ title: 'A' }) });
    const parser = (modules: string[]) =>
      modules.filter((m) => /\/(micromark|remark-|mdast-)/.test(m));
    const read = loadedByPreCommit(r, card({ title: 'B', body: '# B\n\nSee [[a]].\n' }));
    // one file: the hook's own start-up, without commander or a chunk
    expect(read.files).toEqual(['pre-commit.cjs']);
    expect(read.modules).toContain('src/hook/staged-graph.ts');
    expect(read.modules.filter((m) => m.includes('/commander/'))).toEqual([]);
    expect(parser(read.modules)).toEqual([]);
    // a block quote: the scanner declines, remark reads the card
    const declined = loadedByPreCommit(r, card({ title: 'B', body: '# B\n\n> See [[a]].\n' }));
    expect(parser(declined.modules)).toContain('node_modules/remark-parse/lib/index.js');
  });

  it('says the same from the hook start-up as from the whole CLI', () => {
    const r = createRepo({ install: false });
    r.commitNoVerify('cards', { 'docs/cards/a.md': card({ title: 'A', status: 'active' }) });
    const both = () => {
      const hook = r.mikado(['hook', 'pre-commit']);
      // a global option: the whole CLI runs the command
      const cli = r.mikado(['--no-color', 'hook', 'pre-commit']);
      return [hook, cli].map((x) => ({ status: x.status, stdout: x.stdout, stderr: x.stderr }));
    };
    const cases: [string, Record<string, string | null>, number][] = [
      ['no card staged', { 'src/x.txt': 'x\n' }, 0],
      ['a warning', { 'docs/cards/b.md': card({ title: 'B', requires: ['a'] }) }, 0],
      ['an error', { 'docs/cards/c.md': '---\ntitle: C\nmodified: 13 May\n---\n' }, 1],
      ['a broken config', { 'mikado.config.yaml': 'cards: [\n' }, 2],
    ];
    for (const [what, files, status] of cases) {
      r.write(files);
      r.gitOk(['add', '-A']);
      const [hook, cli] = both();
      expect([what, hook]).toEqual([what, cli]);
      expect([what, hook!.status]).toEqual([what, status]);
    }
  });
});

const dist = path.resolve(import.meta.dirname, '../../dist');

/**
 * Stages `docs/cards/b.md` and runs the built pre-commit hook with a module hook that records
 * every module Node loads.
 * @param r the repository
 * @param text the card to stage
 * @returns the built files it loaded, and the source modules bundled into them
 */
function loadedByPreCommit(r: TestRepo, text: string): { files: string[]; modules: string[] } {
  r.write({ 'docs/cards/b.md': text });
  r.gitOk(['add', 'docs/cards/b.md']);
  const log = path.join(r.tmp, 'loaded.txt');
  const hooks = path.join(r.tmp, 'log-loads.mjs');
  writeFileSync(
    hooks,
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function load(url, context, next) {',
      "  appendFileSync(process.env.MIKADO_LOAD_LOG, url + '\\n');",
      '  return next(url, context);',
      '}',
      '',
    ].join('\n'),
  );
  const register = path.join(r.tmp, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  // CommonJS files (the hook's start-up is one) do not pass the module hooks: list them at exit
  const required = path.join(r.tmp, 'log-requires.cjs');
  writeFileSync(
    required,
    [
      "const { appendFileSync } = require('node:fs');",
      "const { pathToFileURL } = require('node:url');",
      "process.on('exit', () => {",
      '  for (const f of Object.keys(require.cache)) {',
      "    appendFileSync(process.env.MIKADO_LOAD_LOG, pathToFileURL(f).href + '\\n');",
      '  }',
      '});',
      '',
    ].join('\n'),
  );
  rmSync(log, { force: true });
  const env = {
    ...r.env,
    NODE_OPTIONS: `--import=${register} --require=${required}`,
    MIKADO_LOAD_LOG: log,
  };
  const res = runMikado(['hook', 'pre-commit'], { cwd: r.dir, env });
  expect(res.status, res.stderr).toBe(0);
  const built = readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith(pathToFileURL(`${dist}/`).href))
    .map((u) => path.relative(dist, fileURLToPath(u)));
  return { files: built, modules: bundledModules(built) };
}

/**
 * A built file and every chunk it imports statically, transitively (what loading it loads).
 * @param file a file under dist/ (`cli.js`, `chunks/NAME.js`)
 * @returns paths under dist/
 */
function staticChunks(file: string): string[] {
  const seen = new Set([file]);
  for (const f of seen) {
    const text = readFileSync(path.join(dist, f), 'utf8');
    for (const m of text.matchAll(/^(?:import|\}) .*"\.\/([^"]+\.js)";?$/gm)) {
      seen.add(path.posix.join(path.posix.dirname(f), m[1]!));
    }
  }
  return [...seen];
}

/**
 * The source modules bundled into built files, from esbuild's `// path` comments.
 * @param files paths under dist/
 * @returns the module paths
 */
function bundledModules(files: string[]): string[] {
  return files.flatMap((f) =>
    [
      ...readFileSync(path.join(dist, f), 'utf8').matchAll(/^\/\/ ((?:node_modules|src)\/\S+)$/gm),
    ].map((m) => m[1]!),
  );
}
