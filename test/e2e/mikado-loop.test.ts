// The Mikado loop played by an agent that knows only `mikado view --resume --json`: each step it
// runs `next.command` as printed (plus the implementation work the step asks for), from a planned
// chain to a finalized branch. On the way it discovers a prerequisite after a closed cycle (with
// work in progress) and meets a plan committed after a cycle without the hook (an error only a
// reset mends). Real repository, the installed hooks, the real binary.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  card,
  cleanupRepos,
  createRepo,
  GOAL,
  goalCard,
  mikadoBranchRepo,
  mikadoOnPath,
  type TestRepo,
} from '../helpers/git-repo.ts';
import { markedBlock } from '../helpers/readme.ts';

afterEach(cleanupRepos);

interface Next {
  command: string | null;
  why: string;
}

describe('the Mikado loop, followed by an agent that reads only the resume', () => {
  it('goes from a planned chain to a finalized branch, through a discovery and a reset', () => {
    const r = mikadoBranchRepo({ install: true });
    const sh = mikadoOnPath(r);

    // The planned chain, committed through the hooks.
    r.write({
      [GOAL]: goalCard({ requires: ['step-a', 'step-b'] }),
      'docs/cards/step-a.md': card({ title: 'Step a', status: 'active' }),
      'docs/cards/step-b.md': card({ title: 'Step b', status: 'active' }),
    });
    r.gitOk(['add', '-A']);
    r.gitOk(['commit', '-q', '-m', 'C2(goal): plan goal, step-a and step-b']);

    const seen = new Set<string>(); // every commit that ever was on the branch, by patch id
    const record = () => {
      for (const line of patchIds(r)) seen.add(line);
    };
    const steps: string[] = [];
    let discovered = false;
    let broken = false;
    let finalized = false;
    for (let i = 0; i < 40 && !finalized; i++) {
      const res = r.mikado(['view', '--resume', '--json']);
      expect(res.status, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as { position: string; next: Next };
      const { command, why } = report.next;
      expect(command, `${report.position}: ${why}`).not.toBeNull();
      expect(command!).not.toMatch(/<[^>]*>/); // no placeholders
      steps.push(`${report.position}: ${command}`);
      if (command!.startsWith('git push')) {
        finalized = true;
        break;
      }
      // Work on step-b is under way: the agent finds that step-b needs step-c first, and leaves
      // its work in progress uncommitted.
      if (!discovered && /close step-b/.test(command!)) {
        discovered = true;
        r.write({ 'src/step-b-wip.txt': 'half of step b\n' });
        const found = sh('mikado new step-c --for step-b');
        expect(found.status, found.stderr).toBe(0);
        continue;
      }
      // The implementation work an `impl` step asks for.
      const impl = command!.match(/C2\(goal\): impl ([\w-]+)'$/);
      if (impl && r.gitOk(['status', '--porcelain']) === '') {
        r.write({ [`src/${impl[1]}-${i}.txt`]: `work on ${impl[1]}\n` });
      }
      record();
      const ran = sh(command!);
      expect({ step: steps.at(-1), status: ran.status, err: ran.stderr }).toMatchObject({
        status: 0,
      });
      record();
      // Once step-c is closed, a plan made elsewhere without the hook arrives after the cycles.
      if (!broken && /close step-c/.test(command!)) {
        broken = true;
        r.commitNoVerify('C2(goal): plan step-d', {
          [GOAL]: goalCard({ requires: ['step-a', 'step-b', 'step-d'] }),
          'docs/cards/step-d.md': card({ title: 'Step d', status: 'active' }),
        });
        record();
      }
    }
    expect(finalized, steps.join('\n')).toBe(true);
    expect(discovered && broken).toBe(true);
    // The agent met the discovery and the reset through the resume's own commands.
    expect(steps).toContainEqual(
      'discovery: git add -- docs/cards/step-b.md docs/cards/step-c.md && mikado plan step-c',
    );
    expect(steps).toContainEqual('invariant-violation: mikado reset --apply && mikado replay');

    const check = r.mikado(['hook', 'check-branch']);
    expect([check.status, check.stdout]).toEqual([0, expect.stringContaining('(finalized)')]);
    const log = r.gitOk(['log', '--format=%H %s', 'main..HEAD']).split('\n').reverse();
    const subjects = log.map((l) => l.slice(41));
    // Every prerequisite planned before the first cycle, the discovered one included.
    const firstCycle = subjects.findIndex((s) => / (impl|close) /.test(s));
    expect(subjects.slice(0, firstCycle)).toEqual([
      'C2(goal): plan goal, step-a and step-b',
      'C2(goal): plan step-c',
      'C2(goal): plan step-d',
    ]);
    // Every card closed once, and still closed at the end (finalize removed the frontmatter).
    for (const stem of ['step-a', 'step-b', 'step-c', 'step-d', 'goal']) {
      expect(subjects.filter((s) => s === `C2(goal): close ${stem}`)).toHaveLength(1);
    }
    expect(subjects.at(-1)).toBe('C2(goal): finalize goal');
    expect(r.git(['grep', '-l', 'status:', 'HEAD', '--', 'docs/cards']).stdout).toBe('');
    // No commit lost: every change that was ever committed on the branch is in it.
    const now = new Set(patchIds(r));
    expect([...seen].filter((p) => !now.has(p))).toEqual([]);
    // No uncommitted change lost: the work in progress at the discovery is committed.
    expect(r.gitOk(['show', 'HEAD:src/step-b-wip.txt'])).toBe('half of step b');
    expect(r.gitOk(['status', '--porcelain'])).toBe('');
    expect(r.gitOk(['stash', 'list'])).toBe('');
    expect(existsSync(path.join(r.dir, '.git/mikado/replay.json'))).toBe(false);
  }, 300_000);
});

describe("the README's loop", () => {
  it('runs line by line as typed, and leaves a branch the hook accepts', () => {
    const r = createRepo();
    r.gitOk(['commit', '-q', '--allow-empty', '-m', 'init']);
    const sh = mikadoOnPath(r);
    const lines = markedBlock('mikado-loop')
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      const res = sh(line);
      expect(res.status, `${line}\n${res.stdout}${res.stderr}`).toBe(0);
    }
    // The discovered card is planned before the replayed cycle; no commit is lost.
    expect(r.gitOk(['log', '--format=%s', 'main..HEAD']).split('\n').reverse()).toEqual([
      'C2(goal): plan goal, step-a, step-b',
      'C2(goal): plan step-c',
      'C2(goal): impl step-a',
      'C2(goal): close step-a',
    ]);
    expect(r.gitOk(['show', 'HEAD:a.txt'])).toBe('a');
    expect(r.gitOk(['status', '--porcelain'])).toBe('');
  }, 120_000);
});

/** The patch id of every commit on the branch (what it changes, whatever its sha). */
function patchIds(r: TestRepo): string[] {
  const out = spawnSync('sh', ['-c', 'git log -p main..HEAD | git patch-id --stable'], {
    cwd: r.dir,
    env: r.env,
    encoding: 'utf8',
  }).stdout;
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]!);
}
