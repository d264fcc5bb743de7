import { loadCards } from '../cards/load-cards.ts';
import type { Card } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import { gitTry } from '../git/git.ts';
import { buildGraph, type CardGraph } from '../graph/build-graph.ts';
import { readMikadoFields } from './card-fields.ts';
import { cardMatcher, cardStem } from './card-matcher.ts';
import { analyseBranch, type BranchAnalysis, type ResolvedBranch } from './check-branch.ts';
import { findPullRequest, type PullRequest } from './forge.ts';
import type { Position } from './judge-branch.ts';
import { nextStep } from './next-step.ts';
import { rebaseInProgress } from './replay-branch.ts';
import { type ReplayState, readReplayState } from './replay-state.ts';
import { mikadoStem, readRepoState } from './repo-state.ts';
import { cardChanges } from './reset-branch.ts';
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
  /** The exact command to run (no placeholders), or null when only a person can decide. */
  command: string | null;
  /** Why, in one sentence (with the reason when there is no command). */
  why: string;
}

/** What is uncommitted in the work tree. */
export interface WorkTree {
  /** The cards root relative to the repository root (`''` for the root itself). */
  cardsRel: string;
  /** Cards with uncommitted changes (staged, unstaged or untracked). */
  cards: { path: string; added: boolean; closed: boolean }[];
  /** How many other files have uncommitted changes. */
  other: number;
}

/** A reset waiting for its replay, or a replay stopped on a conflict. */
export interface ReplayProgress {
  /** The commits recorded for the replay. */
  picks: number;
  /** The stash holding the uncommitted work from before the reset. */
  stash: string | null;
  /** The `git rebase` of the replay is stopped. */
  stopped: boolean;
  /** Files still in conflict. */
  conflicts: string[];
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
  /**
   * The judge's position, or `discovery` (new or changed cards in the work tree), `replaying`
   * (a reset waits for its replay, or the replay stopped), `not-started`.
   */
  position: Position | 'not-started' | 'discovery' | 'replaying';
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
  /** Uncommitted changes (the current branch only). */
  workTree: { cards: string[]; other: number } | null;
  /** A reset or replay in progress (the current branch only). */
  replay: ReplayProgress | null;
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
  const replayState = readReplayState(state.gitDir);
  // While the replay's `git rebase` is stopped HEAD is detached: the branch is still the chain's.
  const current =
    mikadoStem(state.branch) ??
    (replayState && !state.branch && rebaseInProgress(state.gitDir) ? replayState.stem : undefined);
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
  const tree = isCurrent ? readWorkTree(config, graph) : undefined;
  const replay =
    isCurrent && replayState ? replayProgress(config.root, state.gitDir, replayState) : null;
  return branchReport(config, graph, goal, branch, isCurrent, analysis, pullRequest, tree, replay);
}

function branchReport(
  config: MikadoConfig,
  graph: CardGraph,
  goal: Card,
  branch: string,
  current: boolean,
  analysis: BranchAnalysis | undefined,
  pullRequest: PullRequest | null,
  tree: WorkTree | undefined,
  replay: ReplayProgress | null,
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
    workTree: tree ? { cards: tree.cards.map((c) => c.path), other: tree.other } : null,
    replay,
    next: { command: '', why: '' },
  };
  if (replay) report.position = 'replaying';
  else if (tree?.cards.some((c) => !c.closed) && report.violations.length === 0) {
    report.position = 'discovery';
  }
  report.next = nextStep(report, graph, tree ?? { cardsRel: '', cards: [], other: 0 });
  return report;
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

/** What is uncommitted: card changes (and which of them only close a card) and other files. */
function readWorkTree(config: MikadoConfig, graph: CardGraph): WorkTree {
  const matcher = cardMatcher(config);
  const changes = cardChanges(config.root, () => true);
  const cards = changes
    .filter((c) => matcher.isCard(c.path))
    .map((c) => ({ ...c, closed: !c.added && closedInWorkTree(config.root, graph, c.path) }));
  return { cardsRel: matcher.cardsRel, cards, other: changes.length - cards.length };
}

/** A card active at HEAD whose only change in the work tree removes its `status: active`. */
function closedInWorkTree(root: string, graph: CardGraph, path: string): boolean {
  const now = graph.cards.get(cardStem(path));
  if (!now || now.path !== path || now.status === 'active') return false;
  const text = gitTry(['show', `HEAD:${path}`], { cwd: root });
  if (text === undefined) return false;
  const before = readMikadoFields(text, path);
  return (
    before.status === 'active' &&
    before.requires.join('\n') === now.requires.join('\n') &&
    before.branch === now.branch
  );
}

function replayProgress(root: string, gitDir: string, state: ReplayState): ReplayProgress {
  const stopped = rebaseInProgress(gitDir);
  const conflicts = stopped
    ? (gitTry(['diff', '--name-only', '--diff-filter=U'], { cwd: root }) ?? '')
        .split('\n')
        .filter(Boolean)
    : [];
  return {
    picks: state.picks.length - (state.plan ? 1 : 0),
    stash: state.stash,
    stopped,
    conflicts,
  };
}
