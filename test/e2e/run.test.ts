import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alive,
  allLogs,
  type CardSpec,
  finished,
  type TempRepo,
  useTempRepos,
  waitFor,
} from './run-helpers.ts';

const repo = useTempRepos();

/** A temp repository with one card, committed. */
function cardRepo(stem: string, spec: CardSpec): TempRepo {
  const r = repo();
  r.card(stem, spec);
  r.commit();
  return r;
}

/** A block's code that creates an empty file, to show it ran. */
const touch = (file: string): string =>
  `import { writeFileSync } from 'node:fs'; writeFileSync('${file}', '');`;

/** A block's code that adds an `x` to a file, to count its runs. */
const count = (file: string): string =>
  `import { appendFileSync } from 'node:fs'; appendFileSync('${file}', 'x');`;

/**
 * Runs a card and kills the runner (not its blocks) with SIGKILL once `started` holds.
 * @param r the repository
 * @param stem the card
 * @param started whether the block to orphan has started
 */
async function killRunnerOnce(r: TempRepo, stem: string, started: () => boolean): Promise<void> {
  const runner = r.spawn(['run', stem]);
  const gone = finished(runner);
  await waitFor(`the block of ${stem} to start`, started);
  runner.kill('SIGKILL');
  await gone;
}

function blockEnds(r: TempRepo, profile = 'default'): string[] {
  return r
    .journal(profile)
    .filter((j) => j['type'] === 'block-end')
    .map((j) => `${j['card']}:${j['block']}:${j['outcome']}`);
}

describe('mikado run: order and resume', () => {
  it('runs a diamond prerequisites first, each card once, verify blocks last, complete cards skipped', () => {
    const r = repo({ fixture: 'run-diamond' });
    r.commit();
    const out = r.mikado(['run', 'top']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(r.read('order.txt').trim().split('\n')).toEqual([
      'base',
      'left',
      'left-verify',
      'right',
      'top',
    ]);
    expect(out.stdout).toMatch(/done: 5 block\(s\) ran/);
  });

  it('runs a complete prerequisite only with --include-complete', () => {
    const r = repo({ fixture: 'run-diamond' });
    r.commit();
    expect(r.mikado(['run', 'base', '--include-complete']).code).toBe(0);
    expect(r.read('order.txt').trim().split('\n')).toEqual(['complete', 'base']);
  });

  it('skips succeeded blocks on the next run, and runs a block again when its text changed', () => {
    const r = repo({ fixture: 'run-diamond' });
    r.commit();
    expect(r.mikado(['run', 'top']).code).toBe(0);
    const again = r.mikado(['run', 'top']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to run/);
    const right = r.read('docs/cards/right.md').replace("'right\\n'", "'right-changed\\n'");
    r.write('docs/cards/right.md', right);
    r.commit('change right');
    const third = r.mikado(['run', 'top']);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/skip base-step: done at/);
    expect(r.read('order.txt').trim().split('\n').slice(5)).toEqual(['right-changed']);
  });

  it('runs only the named card with --only, and from a block with --from', () => {
    const r = repo({ fixture: 'run-diamond' });
    r.commit();
    const only = r.mikado(['run', '--only', 'right', '--json']);
    expect(only.code).toBe(0);
    expect(r.read('order.txt')).toBe('right\n');
    expect(JSON.parse(only.stdout)).toMatchObject({
      version: 1,
      outcome: 'succeeded',
      exitCode: 0,
      executed: [{ card: 'right', block: 'right-step', outcome: 'succeeded', exitCode: 0 }],
    });
    expect(only.stderr).toMatch(/warning: --only: prerequisites not run: base/);
    expect(r.mikado(['run', 'left', '--from', 'left-verify']).code).toBe(0);
    expect(r.read('order.txt')).toBe('right\nleft-verify\n');
  });

  it('keeps mikado.set values for later blocks and for a resumed run', () => {
    const r = cardRepo('values', {
      blocks: [
        {
          meta: 'name=produce',
          code: "mikado.set('cluster', { name: 'immich-pg', replicas: 2 });",
        },
        {
          meta: 'name=consume',
          code: `
import { existsSync, writeFileSync } from 'node:fs';
const v = mikado.get<{ name: string; replicas: number }>('cluster');
writeFileSync('seen.json', JSON.stringify(v));
if (!existsSync('go')) throw new Error('not yet');
`,
        },
      ],
    });
    const first = r.mikado(['run', 'values']);
    expect(first.code).toBe(1);
    expect(JSON.parse(r.read('seen.json'))).toEqual({ name: 'immich-pg', replicas: 2 });
    r.write('seen.json', '');
    r.write('go', '');
    const second = r.mikado(['run', 'values']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/skip produce: done at/);
    expect(JSON.parse(r.read('seen.json'))).toEqual({ name: 'immich-pg', replicas: 2 });
    expect(blockEnds(r)).toEqual([
      'values:produce:succeeded',
      'values:consume:failed',
      'values:consume:succeeded',
    ]);
  });
});

describe("mikado run: zx's globals in blocks", () => {
  it('loads zx/core for $ alone, the whole of zx for its other globals, and one $ either way', () => {
    // zx's CommonJS files loaded so far, as the block sees them.
    const loaded = `Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('/zx/build/')).map((f) => path.basename(f))`;
    const r = cardRepo('zx', {
      blocks: [
        {
          meta: 'name=commands',
          code: `
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
await $\`true\`;
writeFileSync('commands.json', JSON.stringify(${loaded}));
`,
        },
        {
          meta: 'name=extras',
          code: `
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
const exists = fs.existsSync('commands.json');
const whole = Object.values(createRequire(import.meta.url).cache).find((m) => m.id.endsWith('/zx/build/index.cjs'));
writeFileSync('extras.json', JSON.stringify({ exists, same: whole.exports.$ === $, loaded: ${loaded} }));
`,
        },
      ],
    });
    const res = r.mikado(['run', 'zx']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const commands = JSON.parse(r.read('commands.json')) as string[];
    expect(commands).toContain('core.cjs');
    expect(commands).not.toContain('vendor-extra.cjs');
    const extras = JSON.parse(r.read('extras.json'));
    expect(extras).toMatchObject({ exists: true, same: true });
    expect(extras.loaded).toContain('vendor-extra.cjs');
  });
});

describe("mikado run: blocks' commands", () => {
  it("runs a block's commands without the operator's ~/.bashrc, even where SHLVL is 0 (as under npm)", () => {
    // zx runs each command with `bash -c`, its standard input a socket (Node's stdio); bash then
    // takes itself for a remote shell and reads ~/.bashrc when it is a top-level shell. A
    // ~/.bashrc that puts a directory first on PATH would then choose the block's binaries.
    const r = cardRepo('bashrc', {
      blocks: [
        {
          meta: 'name=commands',
          code: `
import { writeFileSync } from 'node:fs';
const out = await $\`echo "$PATH"; command -v kubectl || true\`;
writeFileSync('seen.txt', out.stdout);
`,
        },
      ],
    });
    r.write(
      'home/.bashrc',
      `touch "${r.dir}/bashrc-was-read"\nexport PATH="${r.dir}/home/bin:$PATH"\n`,
    );
    r.write('home/bin/kubectl', '#!/bin/sh\necho the real kubectl\n');
    execFileSync('chmod', ['+x', path.join(r.dir, 'home/bin/kubectl')]);
    const res = r.mikado(['run', 'bashrc'], {
      env: { HOME: path.join(r.dir, 'home'), SHLVL: '0' },
    });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(r.read('seen.txt')).not.toContain('/home/bin');
    expect(existsSync(path.join(r.dir, 'bashrc-was-read'))).toBe(false);
  });
});

describe('mikado run: processes', () => {
  it('survives a block killed with SIGKILL from outside: the journal reads and the next run starts there', async () => {
    const r = cardRepo('kill', {
      blocks: [
        { meta: 'name=before', code: count('count-before') },
        {
          meta: 'name=victim',
          code: `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
appendFileSync('count-victim', 'x');
if (!existsSync('spare')) {
  writeFileSync('victim.pid', String(process.pid));
  await new Promise((resolve) => setTimeout(resolve, 60_000));
}
`,
        },
      ],
    });
    const child = r.spawn(['run', 'kill']);
    const done = finished(child);
    await waitFor('the victim block', () => r.exists('victim.pid'));
    process.kill(Number(r.read('victim.pid')), 'SIGKILL');
    const out = await done;
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/killed by SIGKILL/);
    expect(blockEnds(r)).toEqual(['kill:before:succeeded', 'kill:victim:failed']);
    r.write('spare', '');
    const next = r.mikado(['run', 'kill']);
    expect(next.code).toBe(0);
    expect([r.read('count-before'), r.read('count-victim')]).toEqual(['x', 'xx']);
  });

  it('refuses to run while a block of a dead runner lives on, and does not repeat it once it finished', async () => {
    const r = cardRepo('orphan', {
      blocks: [
        {
          meta: 'name=long',
          code: `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
appendFileSync('count-long', 'x');
writeFileSync('long.pid', String(process.pid));
while (!existsSync('release')) await new Promise((resolve) => setTimeout(resolve, 20));
writeFileSync('long.done', '');
`,
        },
        { meta: 'name=after', code: count('count-after') },
      ],
    });
    await killRunnerOnce(r, 'orphan', () => r.exists('long.pid'));
    const pid = Number(r.read('long.pid'));
    expect(alive(pid)).toBe(true);

    const refused = r.mikado(['run', 'orphan']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/`orphan:long` .* still runs as process group \d+/);
    expect(r.exists('count-after')).toBe(false);
    const dry = r.mikado(['run', 'orphan', '--dry-run']);
    expect(dry.stdout).toMatch(/long .*blocked: still running as pid/);
    expect(dry.stdout).toMatch(/after .*blocked: after `long`/);

    r.write('release', '');
    await waitFor('the orphan to finish', () => r.exists('long.done') && !alive(pid));
    const next = r.mikado(['run', 'orphan']);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/skip long: done at/);
    expect([r.read('count-long'), r.read('count-after')]).toEqual(['x', 'x']);
  });

  it('ends the stale process group with --kill-stale, then runs the block again', async () => {
    const r = cardRepo('stale', {
      blocks: [
        {
          meta: 'name=long',
          code: `
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
appendFileSync('count-long', 'x');
if (readFileSync('count-long', 'utf8') === 'x') {
  writeFileSync('long.pid', String(process.pid));
  await $\`sleep 600 & echo $! > sleep.pid; wait\`;
}
`,
        },
      ],
    });
    await killRunnerOnce(r, 'stale', () => r.exists('long.pid') && r.exists('sleep.pid'));
    const pids = [Number(r.read('long.pid')), Number(r.read('sleep.pid'))];
    expect(pids.map(alive)).toEqual([true, true]);
    const out = r.mikado(['run', 'stale', '--kill-stale']);
    expect(out.code).toBe(0);
    expect(pids.map(alive)).toEqual([false, false]);
    expect(r.read('count-long')).toBe('xx');
    expect(blockEnds(r)).toEqual(['stale:long:killed', 'stale:long:succeeded']);
    const history = r.mikado(['status', 'stale']);
    expect(history.stdout).toMatch(/✓ long {2}succeeded/);
  });

  it('kills the whole process group on timeout, grandchild sleep included, and records a timeout', () => {
    const r = cardRepo('slow', {
      blocks: [
        {
          meta: 'name=sleepy timeout=4s',
          code: 'await $`sleep 600 & echo $! > sleep.pid; wait`;',
        },
      ],
    });
    const out = r.mikado(['run', 'slow']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/TIMEOUT sleepy: timed out after 4\.0s/);
    expect(alive(Number(r.read('sleep.pid')))).toBe(false);
    expect(blockEnds(r)).toEqual(['slow:sleepy:timeout']);
  });

  it('forwards SIGINT to the block, records it interrupted and exits 130', async () => {
    const r = cardRepo('int', {
      blocks: [
        {
          meta: 'name=waits',
          code: "import { writeFileSync } from 'node:fs'; writeFileSync('w.pid', String(process.pid)); await new Promise((r) => setTimeout(r, 60_000));",
        },
        { meta: 'name=never', code: touch('never') },
      ],
    });
    const runner = r.spawn(['run', 'int']);
    const done = finished(runner);
    await waitFor('the block', () => r.exists('w.pid'));
    runner.kill('SIGINT');
    const out = await done;
    expect(out.code).toBe(130);
    expect(alive(Number(r.read('w.pid')))).toBe(false);
    expect(r.exists('never')).toBe(false);
    expect(blockEnds(r)).toEqual(['int:waits:interrupted']);
    expect(r.journal().at(-1)).toMatchObject({ type: 'run-end', outcome: 'interrupted' });
  });

  it('refuses a second run of the same profile while the first holds the lock', async () => {
    const r = cardRepo('held', {
      blocks: [
        {
          code: "import { existsSync, writeFileSync } from 'node:fs'; writeFileSync('started', ''); while (!existsSync('release')) await new Promise((r) => setTimeout(r, 20));",
        },
      ],
    });
    const first = r.spawn(['run', 'held']);
    const done = finished(first);
    await waitFor('the first run', () => r.exists('started'));
    const second = r.mikado(['run', 'held']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `Another run holds the lock for this profile: pid ${first.pid}`,
    );
    r.write('release', '');
    expect((await done).code).toBe(0);
  });
});

describe('mikado run: safety', () => {
  const confirmCard = {
    blocks: [
      { meta: 'name=plain', code: touch('plain-ran') },
      { meta: 'name=risky confirm', code: touch('risky-ran') },
    ],
  };

  it('refuses confirm blocks without a terminal and without --yes, before anything runs', () => {
    const r = cardRepo('gate', confirmCard);
    const out = r.mikado(['run', 'gate']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /Refusing to run without a terminal: 1 block\(s\) need confirmation: `gate:risky`/,
    );
    expect([r.exists('plain-ran'), r.exists('risky-ran')]).toEqual([false, false]);
    expect(r.mikado(['run', 'gate', '--yes']).code).toBe(0);
    expect([r.exists('plain-ran'), r.exists('risky-ran')]).toEqual([true, true]);
    expect(r.journal()[0]).toMatchObject({ confirmed: ['gate:risky'], confirmedBy: '--yes' });
  });

  it('asks once on a terminal (a pseudo-terminal from script), listing the blocks; no runs nothing', () => {
    const r = cardRepo('gate', confirmCard);
    const cmd = `${process.execPath} ${path.resolve(import.meta.dirname, '../../bin/mikado.js')} run gate`;
    const ask = (answer: string): string =>
      execFileSync('script', ['-qec', cmd, '/dev/null'], {
        cwd: r.dir,
        input: answer,
        env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' },
        encoding: 'utf8',
      });
    let declined = '';
    try {
      ask('n\r');
    } catch (error) {
      declined = String((error as { stdout?: string }).stdout);
    }
    expect(declined).toMatch(/gate:risky/);
    expect([r.exists('plain-ran'), r.exists('risky-ran')]).toEqual([false, false]);
    const accepted = ask('y\r');
    expect(accepted).toMatch(/gate:risky/);
    expect([r.exists('plain-ran'), r.exists('risky-ran')]).toEqual([true, true]);
  });

  it('refuses a modified or untracked card unless --allow-dirty', () => {
    const r = cardRepo('clean', { blocks: [{ code: touch('ran') }] });
    r.write('docs/cards/clean.md', `${r.read('docs/cards/clean.md')}\nedited\n`);
    const modified = r.mikado(['run', 'clean']);
    expect(modified.code).toBe(2);
    expect(modified.stderr).toMatch(/docs\/cards\/clean\.md: Unexpected card modified since HEAD/);
    r.card('fresh', { blocks: [{ code: 'mikado.log(1);' }] });
    const untracked = r.mikado(['run', 'fresh']);
    expect(untracked.code).toBe(2);
    expect(untracked.stderr).toMatch(
      /docs\/cards\/fresh\.md: Unexpected card `fresh` that is not committed at HEAD/,
    );
    expect(r.exists('ran')).toBe(false);
    const forced = r.mikado(['run', 'clean', '--allow-dirty']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/RUNNING CARDS GIT DOES NOT VOUCH FOR/);
    expect(r.exists('ran')).toBe(true);
    expect(r.journal()[0]).toMatchObject({ type: 'run-start', dirty: ['docs/cards/clean.md'] });
  });

  it('refuses a card outside the cards root', () => {
    const r = repo();
    r.write('notes/elsewhere.md', '---\ntitle: x\n---\n');
    r.commit();
    const out = r.mikado(['run', 'notes/elsewhere.md']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/outside the cards root/);
  });

  it('keeps a secret out of the journal, the logs and the output', () => {
    const secret = 'hunter2-s3cr3t';
    const r = repo({
      config: [
        'profiles:',
        '  lab:',
        '    vars:',
        '      ctx: k3s-ringtail',
        '      token: { env: LAB_TOKEN, secret: true }',
        '',
      ].join('\n'),
    });
    r.card('secretive', {
      blocks: [
        {
          code: `
console.log('token is', mikado.vars.token);
await $\`echo from-shell \${mikado.vars.token}\`;
mikado.set('ctx', mikado.vars.ctx);
try { mikado.set('leak', { t: mikado.vars.token }); } catch (e) { console.log(String(e)); }
throw new Error('failed with ' + mikado.vars.token);
`,
        },
      ],
    });
    r.commit();
    const out = r.mikado(['run', 'secretive', '--profile', 'lab'], { env: { LAB_TOKEN: secret } });
    expect(out.code).toBe(1);
    const journal = r.read('.mikado/journal/lab.jsonl');
    const logs = allLogs(r);
    for (const text of [out.stdout, out.stderr, journal, logs]) expect(text).not.toContain(secret);
    expect(out.stdout).toContain('token is ***');
    expect(logs).toContain('from-shell ***');
    expect(out.stdout).toMatch(/Unexpected secret in `mikado.set\('leak'\)`/);
    expect(journal).toContain('"key":"ctx","value":"k3s-ringtail"');
    expect(journal).toContain('failed with ***');
  });

  it('points a syntax error and a stack trace at the card line', () => {
    const r = repo();
    r.card('broken', {
      text: 'Some text.\n',
      blocks: [{ meta: 'name=bad', code: 'const x: number = 1;\nconst = 2;' }],
    });
    r.card('throws', {
      blocks: [
        {
          meta: 'name=thrower',
          code: 'function f(): never {\n  throw new Error("boom");\n}\nf();',
        },
      ],
    });
    r.commit();
    const lines = r.read('docs/cards/broken.md').split('\n');
    const bad = lines.indexOf('const = 2;') + 1;
    const syntax = r.mikado(['run', 'broken']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain(
      `docs/cards/broken.md:${bad}:7: Expected identifier but found "="`,
    );
    expect(r.journal()).toEqual([]);
    const tlines = r.read('docs/cards/throws.md').split('\n');
    const thrown = tlines.indexOf('  throw new Error("boom");') + 1;
    const runtime = r.mikado(['run', 'throws']);
    expect(runtime.code).toBe(1);
    expect(runtime.stdout).toContain(`at f (docs/cards/throws.md:${thrown}:9)`);
  });

  it('refuses a card whose block attributes do not parse (a timeout it would not honour)', () => {
    const r = cardRepo('attrs', {
      blocks: [{ meta: 'timeout=soon', code: touch('ran') }],
    });
    const out = r.mikado(['run', 'attrs']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /docs\/cards\/attrs\.md:\d+:\d+: Unexpected timeout `soon`.*\(block-attributes\)/,
    );
    expect(r.exists('ran')).toBe(false);
  });

  it('executes nothing on --dry-run and lists every card and block with its state', () => {
    const r = repo();
    r.card('first', {
      blocks: [{ meta: 'name=made', code: touch('made') }],
    });
    r.card('second', {
      requires: ['first'],
      blocks: [{ meta: 'name=creates timeout=5m confirm', code: touch('created') }],
    });
    r.commit();
    expect(r.mikado(['run', '--only', 'first']).code).toBe(0);
    const out = r.mikado(['run', 'second', '--dry-run']);
    expect(out.code).toBe(0);
    expect(r.exists('created')).toBe(false);
    expect(out.stdout).toMatch(/✓ made .*done at \d{4}-/);
    expect(out.stdout).toMatch(
      /\? creates .*timeout=5m confirm .*would run, needs confirmation \(never run\)/,
    );
    expect(out.stdout).toMatch(/1 would run \(1 needs confirmation\), 1 done, 0 blocked/);
    const json = JSON.parse(r.mikado(['run', 'second', '--dry-run', '--json']).stdout);
    expect(json.plan.cards.map((c: { card: string }) => c.card)).toEqual(['first', 'second']);
    expect(json.plan.cards[1].blocks[0]).toMatchObject({
      name: 'creates',
      state: 'run',
      needsConfirm: true,
    });
    expect(r.exists('created')).toBe(false);
    expect(r.journal().filter((j) => j['type'] === 'run-start')).toHaveLength(1);
  });

  it('shows on --dry-run what the blocks will see, and warns of empty secrets and missing paths', () => {
    const secret = 'hunter2-dry';
    const r = repo({
      config: [
        'profiles:',
        '  lab:',
        '    vars:',
        '      ctx: k3s-ringtail',
        '      here: ./docs',
        '      ops: { env: OPS_DIR, value: ../nowhere-ops }',
        '      token: { env: LAB_TOKEN, value: "", secret: true }',
        '      key: { env: LAB_KEY, secret: true }',
        '',
      ].join('\n'),
    });
    r.card('vars', { blocks: [{ code: "console.log('ran');" }] });
    r.commit();
    const out = r.mikado(['run', 'vars', '--dry-run', '--profile', 'lab'], {
      env: { LAB_KEY: secret },
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Variables \(profile lab\):$/m);
    expect(out.stdout).toMatch(/^ {2}ctx +k3s-ringtail$/m);
    expect(out.stdout).toMatch(
      /^ {2}ops +\.\.\/nowhere-ops {2}\(\$OPS_DIR unset: the config's value\)$/m,
    );
    expect(out.stdout).toMatch(/^ {2}token +\(secret, empty\)/m);
    expect(out.stdout).toMatch(/^ {2}key +\(secret, set\) {2}\(from \$LAB_KEY\)$/m);
    expect(out.stdout + out.stderr).not.toContain(secret);
    expect(out.stdout).toMatch(
      /warning: variable `token` is empty: set \$LAB_TOKEN before the run/,
    );
    expect(out.stdout).toMatch(
      /warning: variable `ops` is the path `\.\.\/nowhere-ops`, which does not exist .*set \$OPS_DIR/,
    );
    expect(out.stdout).not.toMatch(/variable `here`/);
    expect(out.stdout).not.toMatch(/variable `key`/);
    // Followed literally, the warnings' advice silences them.
    const fixed = r.mikado(['run', 'vars', '--dry-run', '--profile', 'lab'], {
      env: { LAB_KEY: secret, LAB_TOKEN: 't', OPS_DIR: './docs' },
    });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).not.toMatch(/warning/);
    expect(fixed.stdout).toMatch(/^ {2}ops +\.\/docs {2}\(from \$OPS_DIR\)$/m);
  });

  it('names the command that resumes a failed run, without --force, and following it resumes', () => {
    const r = cardRepo('twice', {
      blocks: [
        {
          meta: 'name=first',
          code: "import { appendFileSync } from 'node:fs'; appendFileSync('first.txt', 'ran\\n');",
        },
        {
          meta: 'name=second',
          code: "import { existsSync } from 'node:fs'; if (!existsSync('fixed')) throw new Error('not yet');",
        },
      ],
    });
    expect(r.mikado(['run', 'twice', '--only', 'twice']).code).toBe(1);
    const out = r.mikado(['run', 'twice', '--force']);
    expect(out.code).toBe(1);
    const hint = out.stdout.match(
      /Fix the cause and run `([^`]+)` again: it resumes at this block\./,
    );
    expect(hint?.[1]).toBe('mikado run twice');
    expect(r.read('first.txt')).toBe('ran\nran\n');
    r.write('fixed', '');
    const again = execFileSync('sh', ['-c', hint![1]!.replace(/^mikado /, `"$MIKADO" `)], {
      cwd: r.dir,
      env: { ...process.env, NO_COLOR: '1', MIKADO: path.resolve('bin/mikado.js') },
      encoding: 'utf8',
    });
    expect(again).toMatch(/done: 1 block\(s\) ran, 1 skipped/);
    expect(r.read('first.txt')).toBe('ran\nran\n');
  });

  it('reports the journal with mikado status', () => {
    const r = repo({ fixture: 'run-diamond' });
    r.commit();
    expect(r.mikado(['run', 'left']).code).toBe(0);
    const out = r.mikado(['status', 'left']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/✓ left-step {2}succeeded/);
    const json = JSON.parse(r.mikado(['status', '--json']).stdout);
    expect(json.cards.map((c: { card: string }) => c.card)).toEqual(['base', 'left']);
    const right = JSON.parse(r.mikado(['run', '--status', 'right', '--json']).stdout);
    expect(right.cards[0].blocks[0]).toMatchObject({ block: 'right-step', state: 'never-run' });
  });
});
