import { rmSync } from 'node:fs';
import path from 'node:path';
import type { MikadoConfig } from '../config/types.ts';
import { MikadoError, UsageError } from '../errors.ts';
import { git } from '../git/git.ts';
import { shellQuote } from '../shell-quote.ts';
import { stagedPaths } from './branch-history.ts';
import { cardMatcher, cardStem } from './card-matcher.ts';
import { analyseBranch } from './check-branch.ts';
import type { Violation } from './judge-branch.ts';
import { type ReplayOutcome, start } from './replay-branch.ts';
import { writeReplayState } from './replay-state.ts';
import {
  backupRef,
  cardChanges,
  isDirty,
  mikadoBranchState,
  refuseOperationInProgress,
  stashAll,
  stashName,
} from './reset-branch.ts';

/** What `mikado plan` did. */
export interface PlanOutcome {
  /** The subject of the plan commit. */
  subject: string;
  /** The cards it commits. */
  cards: string[];
  /** `committed`: no cycle yet, the plan went on top; `replayed`: at the end of the planning layer. */
  status: 'committed' | 'replayed' | 'stopped';
  /** Where the plan went: the end of the planning layer (for `replayed`). */
  resetPoint?: { sha: string; label: string };
  /** The replay of the cycles after the plan. */
  replay?: ReplayOutcome;
}

/**
 * `mikado plan [DESCRIPTION]`: commits the staged card changes as `C2(<stem>): plan DESCRIPTION`
 * where a plan belongs, at the end of the planning layer, and replays the commits after it (the
 * cycles, with `git rebase`, stopping on a conflict); staged changes to other files and unstaged
 * work stay uncommitted, as they were. Before any cycle it simply commits the plan on top.
 * @param config the resolved config
 * @param description the plan's description (default: the new cards' stems)
 * @param now the time, for the stash name
 * @returns what happened
 */
export async function planCommit(
  config: MikadoConfig,
  description?: string,
  now: Date = new Date(),
): Promise<PlanOutcome> {
  const root = config.root;
  const state = mikadoBranchState(root);
  refuseOperationInProgress(state);
  const branch = state.branch!;
  const head = state.head!;
  const stem = branch.slice('mikado/'.length);
  const matcher = cardMatcher(config);
  const staged = stagedPaths(root, head).filter((p) => matcher.isCard(p.path));
  if (staged.length === 0) {
    const changed = cardChanges(root, matcher.isCard).map((c) => c.path);
    throw new UsageError('Unexpected `mikado plan` with no staged card change', {
      fix:
        changed.length > 0
          ? `Stage the cards first: \`git add -- ${changed.map(shellQuote).join(' ')} && mikado plan\`.`
          : 'Create or edit the cards first (`mikado new STEM --for PARENT`), then stage them.',
    });
  }
  const added = staged.filter((p) => p.status === 'A');
  const text =
    description?.trim() ||
    (added.length > 0 ? added : staged).map((p) => cardStem(p.path)).join(', ');
  const subject = `C2(${stem}): plan ${text}`;
  const cards = staged.map((p) => p.path);
  const plan = commitCards(root, state.gitDir, head, cards, subject);
  const analysis = await analyseBranch({
    root,
    config,
    target: { branch, ref: `refs/heads/${branch}`, sha: head },
    mode: 'resume',
  });
  const v = analysis.verdict;
  const rp = v.resetPoint;
  if (!rp) {
    git(['reset', '--soft', '--quiet', plan], { cwd: root });
    const bad = await violationsOf(config, branch, plan);
    if (bad.length > 0) {
      git(['reset', '--soft', '--quiet', head], { cwd: root });
      throw new MikadoError(
        `Unexpected plan: the hook would reject \`${subject}\` (${bad.map((b) => b.rule).join(', ')}); nothing was committed`,
        { code: 1, fix: bad[0]!.fix },
      );
    }
    return { subject, cards, status: 'committed' };
  }
  if (analysis.history.commits.some((c) => c.parents.length > 1)) {
    throw new UsageError(`Unexpected merge commit on \`${branch}\`: a replay cannot apply it`, {
      fix: 'Drop the merge first (`mikado hook check-branch` names it), then plan.',
    });
  }
  git(['reset', '--soft', '--quiet', plan], { cwd: root });
  const name = stashName('mikado plan', branch, now);
  let stash: string | null = null;
  try {
    if (isDirty(root)) stash = stashAll(root, name);
  } catch (error) {
    git(['reset', '--soft', '--quiet', head], { cwd: root });
    throw error;
  }
  const ref = backupRef(stem);
  git(['update-ref', '-m', 'mikado plan', ref, head], { cwd: root });
  const replayState = {
    version: 1 as const,
    kind: 'plan' as const,
    branch,
    stem,
    head,
    onto: rp.sha,
    picks: [{ sha: plan, subject }, ...v.replay.map((c) => ({ sha: c.sha!, subject: c.subject }))],
    stash,
    stashName: name,
    backupRef: ref,
    plan,
    replaying: false,
  };
  writeReplayState(state.gitDir, replayState);
  const replay = await start(config, replayState);
  return {
    subject,
    cards,
    status: replay.status === 'done' ? 'replayed' : 'stopped',
    resetPoint: { sha: rp.sha, label: rp.label },
    replay,
  };
}

/** A commit of `head` with the cards as staged in the index (nothing else). */
function commitCards(
  root: string,
  gitDir: string,
  head: string,
  cards: string[],
  subject: string,
): string {
  const entries = new Map<string, string>();
  const listed = git(['--literal-pathspecs', 'ls-files', '-s', '-z', '--', ...cards], {
    cwd: root,
  });
  for (const line of listed.split('\0').filter(Boolean)) {
    const tab = line.indexOf('\t');
    const [mode = '', sha = ''] = line.slice(0, tab).split(' ');
    entries.set(line.slice(tab + 1), `${mode} ${sha}`);
  }
  const zero = '0 0000000000000000000000000000000000000000';
  const tmpIndex = path.join(gitDir, `mikado-plan-${process.pid}.index`);
  const env = { ...process.env, GIT_INDEX_FILE: tmpIndex };
  try {
    git(['read-tree', head], { cwd: root, env });
    const info = cards.map((p) => `${entries.get(p) ?? zero}\t${p}\0`).join('');
    git(['update-index', '-z', '--index-info'], { cwd: root, env, input: info });
    const tree = git(['write-tree'], { cwd: root, env }).trim();
    return git(['commit-tree', tree, '-p', head, '-m', subject], { cwd: root }).trim();
  } finally {
    rmSync(tmpIndex, { force: true });
  }
}

async function violationsOf(
  config: MikadoConfig,
  branch: string,
  sha: string,
): Promise<Violation[]> {
  const analysis = await analyseBranch({
    root: config.root,
    config,
    target: { branch, ref: `refs/heads/${branch}`, sha },
    mode: 'resume',
  });
  return analysis.verdict.violations.filter((v) => v.commit === sha);
}
