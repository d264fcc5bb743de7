import { loadCards } from '../cards/load-cards.ts';
import type { Card } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import { gitTry } from '../git/git.ts';
import { buildGraph, type CardGraph } from '../graph/build-graph.ts';
import { analyseBranch, type BranchAnalysis, type ResolvedBranch } from './check-branch.ts';
import { findPullRequest, type PullRequest } from './forge.ts';
import type { Position } from './judge-branch.ts';
import { mikadoStem, readRepoState } from './repo-state.ts';
import { VERBS, type Verb } from './subject.ts';

/** A commit in the resume view. */
export interface ResumeCommit {
  sha: string;
  /** The verb, or null for a commit that does not follow the convention. */
  verb: Verb | 'fixup' | null;
  subject: string;
}

/** What to do next. */
export interface NextStep {
  /** The exact command to run. */
  command: string;
  /** Why, in one sentence. */
  why: string;
}

/** `mikado view --resume` on a Mikado branch (or for a named chain). */
export interface BranchResume {
  kind: 'branch';
  branch: string;
  stem: string;
  /** Whether the branch is checked out. */
  current: boolean;
  /** The branch does not exist yet. */
  notStarted: boolean;
  goal: { stem: string; title?: string; path: string; status: 'active' | null; branch?: string };
  position: Position | 'not-started';
  base: { name: string; sha: string | null; fallback: boolean };
  commits: ResumeCommit[];
  /** The last few commits of each verb, newest first. */
  recent: Record<Verb, ResumeCommit[]>;
  readyLeaves: string[];
  activeDeps: number;
  totalDeps: number;
  stashes: { ref: string; message: string }[];
  pullRequest: PullRequest | null;
  violations: { commit: string | null; rule: string; message: string; fix: string }[];
  resetPoint: { sha: string; subject: string | null; label: string } | null;
  cycles: string[][];
  next: NextStep;
}

/** `mikado view --resume` on any other branch: the chains to resume. */
export interface ChainList {
  kind: 'list';
  branch: string | null;
  chains: Array<{
    goal: string;
    title?: string;
    branch: string;
    branchExists: boolean;
    position: Position | 'not-started';
    readyLeaves: string[];
    activeDeps: number;
    totalDeps: number;
    next: NextStep;
  }>;
  cycles: string[][];
}

/** The data `mikado view --resume` shows. */
export type ResumeReport = BranchResume | ChainList;

/** What {@link resume} needs. */
export interface ResumeOptions {
  config: MikadoConfig;
  /** The chain (goal stem) asked for, if any. */
  chain?: string;
  env: NodeJS.ProcessEnv;
  /** `fetch` for the forge look-up (tests pass their own). */
  fetch?: typeof fetch;
  /** Forge look-up timeout (default 1500 ms). */
  timeoutMs?: number;
}

const RECENT = 5;

/**
 * Works out where a Mikado branch stands and what to do next: detects `mikado/<stem>`, matches it
 * to its goal card (refusing a mismatch), classifies the position, lists recent commits by verb,
 * ready leaves, stashed work and an open pull request. On another branch without a chain named:
 * the active chains to resume.
 * @param options config, chain, environment and forge access
 * @returns the report
 */
export async function resume(options: ResumeOptions): Promise<ResumeReport> {
  const { config } = options;
  const state = readRepoState(config.root);
  const current = mikadoStem(state.branch);
  if (options.chain && current && options.chain !== current) {
    throw new UsageError(
      `Unexpected chain \`${options.chain}\` on branch \`${state.branch}\`, expected \`${current}\``,
      {
        fix: `Switch branches first (\`git switch mikado/${options.chain}\`), or run \`mikado view --resume\` without a chain.`,
      },
    );
  }
  const { cards } = await loadCards(config, { full: false });
  const graph = buildGraph(cards);
  const stem = options.chain ?? current;
  if (!stem) return listChains(config, graph, state.branch);
  const goal = graph.cards.get(stem);
  const branch = `mikado/${stem}`;
  if (!goal) {
    throw new UsageError(`Unexpected branch \`${branch}\` without a goal card \`${stem}\``, {
      fix: `Create the goal with \`mikado new ${stem} --goal\` (on \`${branch}\`), or check out the branch of an existing chain.`,
    });
  }
  if (goal.branch && goal.branch !== branch) {
    throw new UsageError(
      `Unexpected \`branch: ${goal.branch}\` in goal card \`${goal.path}\`, expected \`branch: ${branch}\``,
      {
        fix: `Resume on \`${goal.branch}\`, or set \`branch: ${branch}\` in ${goal.path} in a \`plan\` commit.`,
      },
    );
  }
  const isCurrent = current === stem;
  const target = isCurrent
    ? { branch, ref: `refs/heads/${branch}`, sha: state.head ?? '' }
    : findBranch(config.root, branch);
  const analysis = target
    ? await analyseBranch({ root: config.root, config, target, mode: 'resume' })
    : undefined;
  const pullRequest = target
    ? await findPullRequest(config.forge, branch, options.env, {
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      })
    : null;
  return branchReport(config, graph, goal, branch, isCurrent, analysis, pullRequest);
}

function branchReport(
  config: MikadoConfig,
  graph: CardGraph,
  goal: Card,
  branch: string,
  current: boolean,
  analysis: BranchAnalysis | undefined,
  pullRequest: PullRequest | null,
): BranchResume {
  const stem = goal.stem;
  const chain = graph.chain(stem);
  const commits: ResumeCommit[] = (analysis?.verdict.entries ?? [])
    .filter((e) => e.commit.sha !== null)
    .map((e) => ({
      sha: e.commit.sha!,
      verb: e.subject.kind === 'c2' ? e.subject.verb : e.subject.kind === 'fixup' ? 'fixup' : null,
      subject: e.commit.subject,
    }));
  const recent = Object.fromEntries(
    VERBS.map((v) => [
      v,
      commits
        .filter((c) => c.verb === v)
        .slice(-RECENT)
        .reverse(),
    ]),
  ) as Record<Verb, ResumeCommit[]>;
  const verdict = analysis?.verdict;
  const position: BranchResume['position'] = verdict ? verdict.position : 'not-started';
  const rp = verdict?.resetPoint;
  const report: BranchResume = {
    kind: 'branch',
    branch,
    stem,
    current,
    notStarted: !analysis,
    goal: { stem, title: goal.title, path: goal.path, status: goal.status, branch: goal.branch },
    position,
    base: {
      name: analysis?.base.name ?? config.baseBranch,
      sha: analysis?.base.sha ?? null,
      fallback: analysis?.base.fallback ?? false,
    },
    commits,
    recent,
    readyLeaves: chain.readyLeaves,
    activeDeps: chain.activeDeps,
    totalDeps: chain.totalDeps,
    stashes: analysis ? stashesFor(config.root, branch) : [],
    pullRequest,
    violations: (verdict?.violations ?? []).map((v) => ({
      commit: v.commit,
      rule: v.rule,
      message: v.message,
      fix: v.fix,
    })),
    resetPoint: rp ? { sha: rp.sha, subject: rp.subject ?? null, label: rp.label } : null,
    cycles: graph.cycles,
    next: { command: '', why: '' },
  };
  report.next = nextStep(report, graph, commits);
  return report;
}

function nextStep(r: BranchResume, graph: CardGraph, commits: ResumeCommit[]): NextStep {
  const { stem, branch } = r;
  if (r.notStarted) {
    return {
      command: `git switch -c ${branch} ${r.base.name}`,
      why: `The chain \`${stem}\` has no branch yet: start it from \`${r.base.name}\`.`,
    };
  }
  if (!r.current) {
    return {
      command: `git switch ${branch}`,
      why: `Resume on the chain's branch, then run \`mikado view --resume\` there.`,
    };
  }
  if (r.position === 'unconventional' || r.position === 'invariant-violation') {
    const where = r.resetPoint ? ` to the reset point ${r.resetPoint.label}` : '';
    const first = r.violations[0];
    return {
      command: 'mikado reset',
      why: `The branch breaks the Mikado Branch Invariant (${first ? `\`${first.rule}\`` : 'see `mikado hook check-branch`'}): return${where}.`,
    };
  }
  if (r.position === 'finalized') {
    return r.pullRequest
      ? {
          command: `open ${r.pullRequest.url}`,
          why: `The chain is finalized; pull request #${r.pullRequest.number} is open.`,
        }
      : {
          command: `git push -u origin ${branch}`,
          why: 'The chain is finalized: push it and open a pull request.',
        };
  }
  if (!r.goal.branch) {
    return {
      command: `git commit -m 'C2(${stem}): plan ${stem}'`,
      why: `Set \`branch: ${branch}\` in ${r.goal.path} and commit the plan.`,
    };
  }
  const active = graph.chain(stem).members.filter((s) => graph.cards.get(s)?.status === 'active');
  if (active.length === 0) {
    return {
      command: `mikado finalize ${stem} && git commit -am 'C2(${stem}): finalize ${stem}'`,
      why: 'Every card of the chain is complete: strip the Mikado frontmatter.',
    };
  }
  if (r.position === 'mid-cycle') {
    const lastImpl = [...commits].reverse().find((c) => c.verb === 'impl');
    const named = lastImpl?.subject.replace(/^C2\([^)]*\): impl /, '').split(/\s+/)[0];
    const card = named && active.includes(named) ? named : r.readyLeaves[0];
    if (card) {
      return {
        command: `mikado close ${card} && git commit -am 'C2(${stem}): close ${card}'`,
        why: `Mid-cycle on \`${card}\`: when it is done, close it (a new prerequisite needs \`mikado reset\` instead).`,
      };
    }
  }
  const leaves = r.readyLeaves.filter((l) => l !== stem);
  const leaf = leaves[0] ?? (r.readyLeaves.includes(stem) ? stem : undefined);
  if (!leaf) {
    return {
      command: `mikado view ${stem}`,
      why: 'No card is ready: look at the chain (a cycle or a missing card blocks it).',
    };
  }
  if (r.position === 'empty' && leaf === stem) {
    return {
      command: `mikado new <prerequisite> --for ${stem}`,
      why: `Plan the first prerequisites of \`${stem}\`, then commit them as \`C2(${stem}): plan ...\` (or implement the goal if it needs none).`,
    };
  }
  return {
    command: `mikado run ${leaf}`,
    why: `Implement the ready leaf \`${leaf}\` (${graph.cards.get(leaf)?.path}), then commit \`C2(${stem}): impl ${leaf} ...\`; a new prerequisite found on the way needs \`mikado reset\`.`,
  };
}

async function listChains(
  config: MikadoConfig,
  graph: CardGraph,
  branch: string | undefined,
): Promise<ChainList> {
  const refs = new Map<string, string>();
  const out =
    gitTry(['for-each-ref', '--format=%(refname:short)%00%(objectname)', 'refs/heads/mikado/'], {
      cwd: config.root,
    }) ?? '';
  for (const line of out.split('\n').filter(Boolean)) {
    const [name = '', sha = ''] = line.split('\0');
    refs.set(name, sha);
  }
  const chains: ChainList['chains'] = [];
  for (const goal of graph.roots) {
    const card = graph.cards.get(goal)!;
    const b = card.branch ?? `mikado/${goal}`;
    const sha = refs.get(b);
    const chain = graph.chain(goal);
    let position: Position | 'not-started' = 'not-started';
    if (sha && mikadoStem(b)) {
      const target = { branch: b, ref: `refs/heads/${b}`, sha };
      position = (await analyseBranch({ root: config.root, config, target, mode: 'resume' }))
        .verdict.position;
    }
    chains.push({
      goal,
      title: card.title,
      branch: b,
      branchExists: sha !== undefined,
      position,
      readyLeaves: chain.readyLeaves,
      activeDeps: chain.activeDeps,
      totalDeps: chain.totalDeps,
      next: sha
        ? {
            command: `git switch ${b} && mikado view --resume`,
            why: 'Resume the chain on its branch.',
          }
        : { command: `git switch -c ${b}`, why: 'Start the chain on its own branch.' },
    });
  }
  return { kind: 'list', branch: branch ?? null, chains, cycles: graph.cycles };
}

function findBranch(root: string, branch: string): ResolvedBranch | undefined {
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const sha = gitTry(['rev-parse', '-q', '--verify', `${ref}^{commit}`], { cwd: root });
    if (sha) return { branch, ref, sha };
  }
  return undefined;
}

function stashesFor(root: string, branch: string): { ref: string; message: string }[] {
  const out = gitTry(['stash', 'list', '--format=%gd%x00%gs'], { cwd: root }) ?? '';
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ref = '', message = ''] = line.split('\0');
      return { ref, message };
    })
    .filter(
      (s) => s.message.includes(` ${branch}:`) || s.message.includes(`mikado reset ${branch} `),
    );
}
