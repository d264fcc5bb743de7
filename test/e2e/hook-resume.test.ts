// `mikado view --resume` through the real binary.
import { afterEach, describe, expect, it } from 'vitest';
import { card, cleanupRepos, goalLeafMidCycleRepo } from '../helpers/git-repo.ts';

afterEach(cleanupRepos);

describe('mikado view --resume (binary)', () => {
  it('prints the position and the next command, and --json', () => {
    const r = goalLeafMidCycleRepo();
    const text = r.mikado(['view', '--resume']);
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('  position      mid-cycle');
    expect(text.stdout).toContain(
      "next: mikado close leaf && git commit -m 'C2(goal): close leaf' -- docs/cards/leaf.md",
    );
    const json = r.mikado(['view', '--resume', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      version: 1,
      kind: 'branch',
      branch: 'mikado/goal',
      position: 'mid-cycle',
      readyLeaves: ['leaf'],
      next: {
        command: "mikado close leaf && git commit -m 'C2(goal): close leaf' -- docs/cards/leaf.md",
      },
    });
  });

  it('refuses a branch/goal mismatch with exit 2 and a fix', () => {
    const r = goalLeafMidCycleRepo();
    r.write({
      'docs/cards/goal.md': card({
        title: 'Goal',
        status: 'active',
        branch: 'mikado/other',
        requires: ['leaf'],
      }),
    });
    const res = r.mikado(['view', '--resume']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(
      /^mikado: Unexpected `branch: mikado\/other` in goal card `docs\/cards\/goal\.md`, expected `branch: mikado\/goal`\n {2}fix: /,
    );
    expect(res.stdout).toBe('');
  });
});
