// `mikado view --resume`: position, recent commits, ready leaves, stashes, pull request, next step.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findPullRequest } from '../src/branch/forge.ts';
import { renderResume, renderResumeJson } from '../src/branch/render-resume.ts';
import { type BranchResume, type ChainList, resume } from '../src/branch/resume.ts';
import { loadConfig } from '../src/config/load-config.ts';
import type { MikadoConfig } from '../src/config/types.ts';
import {
  card,
  cleanupRepos,
  createRepo,
  GOAL,
  mikadoBranchRepo,
  type TestRepo,
} from './helpers/git-repo.ts';

const A = 'docs/cards/a.md';
const B = 'docs/cards/b.md';
let server: Server | undefined;
afterEach(async () => {
  cleanupRepos();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const goal = (extra: { status?: 'active'; branch?: string } = { status: 'active' }) =>
  card({ title: 'The goal', branch: 'mikado/goal', requires: ['a', 'b'], ...extra });

/** main with the plan; mikado/goal: plan, impl a, close a, impl b (mid-cycle on b). */
function midCycle(): { r: TestRepo; config: MikadoConfig; sha: Record<string, string> } {
  const r = mikadoBranchRepo();
  const sha: Record<string, string> = {};
  sha['plan'] = r.commitNoVerify('C2(goal): plan goal, a and b', {
    [GOAL]: goal(),
    [A]: card({ title: 'A', status: 'active' }),
    [B]: card({ title: 'B', status: 'active' }),
  });
  sha['implA'] = r.commitNoVerify('C2(goal): impl a', { 'src/a.txt': 'a\n' });
  sha['closeA'] = r.commitNoVerify('C2(goal): close a', { [A]: card({ title: 'A' }) });
  sha['implB'] = r.commitNoVerify('C2(goal): impl b first half', { 'src/b.txt': 'b\n' });
  return { r, config: loadConfig({ root: r.dir }), sha };
}

describe('mikado view --resume on a Mikado branch', () => {
  it('classifies mid-cycle, lists commits by verb, ready leaves and stashes, and says what is next', async () => {
    const { r, config, sha } = midCycle();
    r.write({ 'src/b.txt': 'half done\n' });
    r.gitOk(['stash', 'push', '-m', 'wip b']);
    const report = (await resume({ config, env: {} })) as BranchResume;
    expect(report).toMatchObject({
      kind: 'branch',
      branch: 'mikado/goal',
      current: true,
      position: 'mid-cycle',
      readyLeaves: ['b'],
      activeDeps: 1,
      totalDeps: 2,
      stashes: [{ ref: 'stash@{0}', message: 'On mikado/goal: wip b' }],
      pullRequest: null,
      violations: [],
      next: { command: "mikado close b && git commit -m 'C2(goal): close b' -- docs/cards/b.md" },
    });
    expect(report.recent.impl.map((c) => c.sha)).toEqual([sha['implB'], sha['implA']]);
    expect(report.recent.close.map((c) => c.subject)).toEqual(['C2(goal): close a']);
    const text = renderResume(report);
    expect(text).toMatch(
      /^chain goal: The goal\n {2}branch {8}mikado\/goal \(checked out\), base main at [0-9a-f]{7}\n/,
    );
    expect(text).toContain('  position      mid-cycle');
    expect(text).toContain(
      `    impl     ${sha['implB']!.slice(0, 7)}  C2(goal): impl b first half`,
    );
    expect(text).toContain('    stash@{0}  On mikado/goal: wip b');
    expect(text).toContain(
      "\nnext: mikado close b && git commit -m 'C2(goal): close b' -- docs/cards/b.md\n",
    );
    // The commits in order, oldest first.
    const order = [sha['plan'], sha['implA'], sha['closeA'], sha['implB']].map((x) =>
      text.indexOf(x!.slice(0, 7)),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThan(0);
    expect(JSON.parse(renderResumeJson(report))).toMatchObject({
      version: 1,
      kind: 'branch',
      position: 'mid-cycle',
    });
  });

  it('planning, between cycles and empty', async () => {
    const { r, config, sha } = midCycle();
    r.gitOk(['reset', '-q', '--hard', sha['closeA']!]);
    const between = (await resume({ config, env: {} })) as BranchResume;
    expect([between.position, between.next.command]).toEqual([
      'between-cycles',
      "git add -A && git commit -m 'C2(goal): impl b'",
    ]);
    r.gitOk(['reset', '-q', '--hard', sha['plan']!]);
    expect(((await resume({ config, env: {} })) as BranchResume).position).toBe('planning');
    r.gitOk(['reset', '-q', '--hard', 'main']);
    r.write({ [GOAL]: card({ title: 'The goal', status: 'active', branch: 'mikado/goal' }) });
    // The goal card exists only in the work tree: a discovery, to plan.
    const empty = (await resume({ config, env: {} })) as BranchResume;
    expect([empty.position, empty.next.command]).toEqual([
      'discovery',
      'git add -- docs/cards/goal.md && mikado plan goal',
    ]);
    r.commitNoVerify('C2(goal): plan goal');
    const planned = (await resume({ config, env: {} })) as BranchResume;
    expect([planned.position, planned.next.command]).toEqual([
      'planning',
      "git add -A && git commit -m 'C2(goal): impl goal'",
    ]);
  });

  it('reports a plan after a cycle with the end of the planning layer and the reset and replay as the next command', async () => {
    const { r, config, sha } = midCycle();
    r.commitNoVerify('C2(goal): plan c', {
      'docs/cards/c.md': card({ title: 'C', status: 'active' }),
    });
    const report = (await resume({ config, env: {} })) as BranchResume;
    expect(report.position).toBe('invariant-violation');
    expect(report.violations.map((v) => v.rule)).toEqual(['plan-after-cycle']);
    expect(report.resetPoint).toMatchObject({
      sha: sha['plan'],
      subject: 'C2(goal): plan goal, a and b',
    });
    expect(report.next.command).toBe('mikado reset --apply && mikado replay');
    expect(report.next.why).toContain('`C2(goal): plan goal, a and b` at');
    r.commitNoVerify('wip', { 'src/x.txt': 'x\n' });
    expect(((await resume({ config, env: {} })) as BranchResume).position).toBe('unconventional');
  });

  it('finalized: the open pull request from a Gitea-style forge, else push', async () => {
    const { r, sha } = midCycle();
    void sha;
    r.commitNoVerify('C2(goal): close b', { [B]: card({ title: 'B' }) });
    r.commitNoVerify('C2(goal): impl goal', { 'src/g.txt': 'g\n' });
    r.commitNoVerify('C2(goal): close goal', { [GOAL]: goal({}) });
    r.commitNoVerify('C2(goal): finalize goal', {
      [GOAL]: card({ title: 'The goal' }),
      [A]: card({ title: 'A' }),
      [B]: card({ title: 'B' }),
    });
    const api = await forgeServer([
      {
        number: 3,
        title: 'Other',
        html_url: 'http://forge.invalid/o/r/pulls/3',
        head: { ref: 'feature' },
      },
      {
        number: 7,
        title: 'Immich chain',
        html_url: 'http://forge.invalid/o/r/pulls/7',
        head: { ref: 'mikado/goal' },
      },
    ]);
    const config: MikadoConfig = {
      ...loadConfig({ root: r.dir }),
      forge: { type: 'gitea', api, repo: 'o/r' },
    };
    // The goal is complete after finalize, so it is no longer a root: name the chain.
    const report = (await resume({ config, chain: 'goal', env: {} })) as BranchResume;
    expect(report.position).toBe('finalized');
    expect(report.pullRequest).toEqual({
      number: 7,
      title: 'Immich chain',
      url: 'http://forge.invalid/o/r/pulls/7',
    });
    expect(report.next.command).toBe('open http://forge.invalid/o/r/pulls/7');
    const noForge = (await resume({
      config: loadConfig({ root: r.dir }),
      chain: 'goal',
      env: {},
    })) as BranchResume;
    expect(noForge.next.command).toBe('git push -u origin mikado/goal');
  });

  it('refuses a branch/goal mismatch and a branch without a goal card', async () => {
    const { r, config } = midCycle();
    r.write({ [GOAL]: goal({ status: 'active', branch: 'mikado/elsewhere' }) });
    await expect(resume({ config, env: {} })).rejects.toThrow(
      'Unexpected `branch: mikado/elsewhere` in goal card `docs/cards/goal.md`, expected `branch: mikado/goal`',
    );
    r.write({ [GOAL]: null });
    await expect(resume({ config, env: {} })).rejects.toThrow('without a goal card `goal`');
    await expect(resume({ config, chain: 'other', env: {} })).rejects.toThrow(
      'Unexpected chain `other` on branch `mikado/goal`',
    );
  });

  it('reports cycles first', async () => {
    const { r, config } = midCycle();
    r.write({
      [A]: card({ title: 'A', status: 'active', requires: ['b'] }),
      [B]: card({ title: 'B', status: 'active', requires: ['a'] }),
    });
    const text = renderResume(await resume({ config, env: {} }));
    expect(
      text.startsWith(
        'cycles (1): the chain cannot be ordered until they are broken\n  a -> b -> a\n',
      ),
    ).toBe(true);
  });
});

describe('mikado view --resume elsewhere', () => {
  it('on main: the chains to resume, with their positions', async () => {
    const { r, config } = midCycle();
    r.gitOk(['checkout', '-q', 'main']);
    r.write({
      [GOAL]: goal(),
      [A]: card({ title: 'A', status: 'active' }),
      [B]: card({ title: 'B', status: 'active' }),
      'docs/cards/later.md': card({ title: 'Later', status: 'active' }),
    });
    const list = (await resume({ config, env: {} })) as ChainList;
    expect(list.kind).toBe('list');
    expect(
      list.chains.map((c) => [c.goal, c.branch, c.branchExists, c.position, c.next.command]),
    ).toEqual([
      ['goal', 'mikado/goal', true, 'mid-cycle', 'git switch mikado/goal && mikado view --resume'],
      ['later', 'mikado/later', false, 'not-started', 'git switch -c mikado/later'],
    ]);
    const text = renderResume(list);
    expect(text).toContain('Chains to resume (you are on `main`, not on a Mikado branch):');
    expect(text).toContain(
      '  goal   mikado/goal                 mid-cycle    2/2           a, b\n',
    );
    const named = (await resume({ config, chain: 'goal', env: {} })) as BranchResume;
    expect([named.current, named.position, named.next.command]).toEqual([
      false,
      'mid-cycle',
      'git switch mikado/goal',
    ]);
  });

  it('says so when there are no chains', async () => {
    const r = createRepo({ install: false });
    r.commitNoVerify('init');
    expect(renderResume(await resume({ config: loadConfig({ root: r.dir }), env: {} }))).toBe(
      'No active chains (on `main`). Start one with `mikado new STEM --goal`.\n',
    );
  });
});

describe('forge look-up', () => {
  it('finds a GitHub pull request by head, sending the token', async () => {
    let seen: { url?: string; auth?: string } = {};
    const api = await forgeServer(
      [
        {
          number: 9,
          title: 'T',
          html_url: 'https://gh.invalid/o/r/pull/9',
          head: { ref: 'mikado/goal' },
        },
      ],
      (url, auth) => {
        seen = { url, auth };
      },
    );
    const pr = await findPullRequest(
      { type: 'github', api, repo: 'o/r', tokenEnv: 'TOK' },
      'mikado/goal',
      { TOK: 'secret' },
    );
    expect(pr).toEqual({ number: 9, title: 'T', url: 'https://gh.invalid/o/r/pull/9' });
    expect(seen).toEqual({
      url: '/repos/o/r/pulls?state=open&head=o%3Amikado%2Fgoal&per_page=10',
      auth: 'token secret',
    });
  });

  it('is silent and quick on any failure: refused connection, timeout, error status, junk', async () => {
    const closed = await forgeServer([]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const forge = (api: string) => ({ type: 'forgejo' as const, api, repo: 'o/r' });
    expect(await findPullRequest(forge(closed), 'mikado/goal', {})).toBeNull();
    const hang = createServer(() => {});
    server = hang;
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const hangApi = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    expect(await findPullRequest(forge(hangApi), 'mikado/goal', {}, { timeoutMs: 100 })).toBeNull();
    hang.closeAllConnections();
    expect(
      await findPullRequest(
        forge('http://x.invalid'),
        'b',
        {},
        { fetch: async () => new Response('nope', { status: 500 }) },
      ),
    ).toBeNull();
    expect(
      await findPullRequest(
        forge('http://x.invalid'),
        'b',
        {},
        { fetch: async () => new Response('{"not":"a list"}') },
      ),
    ).toBeNull();
    expect(await findPullRequest(undefined, 'b', {})).toBeNull();
  });
});

/** A local HTTP server answering every request with `pulls`; returns its API base URL. */
async function forgeServer(
  pulls: unknown[],
  onRequest?: (url: string, auth?: string) => void,
): Promise<string> {
  const s = createServer((req, res) => {
    onRequest?.(req.url ?? '', req.headers.authorization);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(pulls));
  });
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
