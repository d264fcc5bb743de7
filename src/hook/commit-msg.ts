import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MikadoConfig } from '../config/types.ts';
import { UsageError } from '../errors.ts';
import {
  type BranchCommit,
  readBranchHistory,
  resolveBase,
  stagedPaths,
} from './branch-history.ts';
import { cardMatcher } from './card-matcher.ts';
import { cleanMessage, subjectOf } from './clean-message.ts';
import { detectAmend } from './detect-amend.ts';
import { gitTry } from './git.ts';
import { gitCardSource } from './git-card-source.ts';
import { type JudgedCommit, judgeBranch, type Verdict } from './judge-branch.ts';
import { gitConfigMatching, mikadoStem, readRepoState } from './repo-state.ts';

/** What {@link commitMsg} needs. */
export interface CommitMsgOptions {
  /** The message file git passes to the hook (relative to `cwd` or absolute). */
  file: string;
  /** Working directory (git runs hooks at the worktree root). */
  cwd: string;
  /** Environment (`GIT_EDITOR`, `GIT_INDEX_FILE`, `MIKADO_AMEND`). */
  env: NodeJS.ProcessEnv;
  /** Loads the project config (called only on a Mikado branch). */
  config: (root: string) => MikadoConfig;
}

/** The outcome of judging a commit being made. */
export interface CommitMsgResult {
  /** `skip`: not on a Mikado branch, or an empty message (git aborts those itself). */
  outcome: 'skip' | 'pass' | 'fail';
  branch?: string;
  /** The commit replaces HEAD (`--amend`). */
  amend?: boolean;
  verdict?: Verdict;
}

/**
 * The commit-msg hook: judges the branch since its base plus the commit being made (without
 * HEAD when amending) against the Mikado Branch Invariant.
 * @param options message file, working directory, environment and config loader
 * @returns the outcome and, on a Mikado branch, the verdict
 */
export async function commitMsg(options: CommitMsgOptions): Promise<CommitMsgResult> {
  const state = readRepoState(options.cwd);
  const stem = mikadoStem(state.branch);
  if (!stem || !state.branch) return { outcome: 'skip', branch: state.branch };
  const file = path.resolve(options.cwd, options.file);
  if (!existsSync(file)) {
    throw new UsageError(`${options.file}: no such message file`, {
      fix: 'Run `mikado hook commit-msg` from the commit-msg hook, which passes the message file.',
    });
  }
  const cfg = gitConfigMatching(state.root, '^(core\\.comment(char|string)|commit\\.cleanup)$');
  const message = cleanMessage(readFileSync(file, 'utf8'), {
    commentChar: cfg.get('core.commentstring') ?? cfg.get('core.commentchar'),
    cleanup: cfg.get('commit.cleanup'),
    editorUsed: options.env['GIT_EDITOR'] !== ':',
  });
  const subject = subjectOf(message);
  if (subject === '') return { outcome: 'skip', branch: state.branch };

  const config = options.config(state.root);
  const matcher = cardMatcher(config);
  const base = resolveBase(state.root, config.baseBranch);
  const amend = state.head !== undefined && detectAmend({ env: options.env });
  let history: BranchCommit[] = [];
  let resolvedBase = base;
  if (state.head) {
    const h = readBranchHistory(state.root, state.head, state.branch, base);
    history = h.commits;
    resolvedBase = h.base;
  }
  let parent = state.head;
  let merge = existsSync(path.join(state.gitDir, 'MERGE_HEAD'));
  if (amend) {
    const last = history[history.length - 1];
    if (last && last.sha === state.head) {
      history = history.slice(0, -1);
      parent = last.parents[0];
      merge = merge || last.parents.length > 1;
      if (history.length === 0) resolvedBase = { ...resolvedBase, sha: parent ?? resolvedBase.sha };
    } else {
      parent = gitTry(['rev-parse', '-q', '--verify', `${state.head}^`], { cwd: state.root });
    }
  }
  const next: JudgedCommit = {
    sha: null,
    parent,
    subject,
    paths: stagedPaths(state.root, parent),
    merge,
  };
  const commits: JudgedCommit[] = [
    ...history.map((c) => ({
      sha: c.sha,
      parent: c.parents[0],
      subject: c.subject,
      paths: c.paths,
      merge: c.parents.length > 1,
    })),
    next,
  ];
  const cards = gitCardSource(state.root, matcher);
  try {
    const verdict = await judgeBranch({
      stem,
      base: resolvedBase,
      commits,
      mode: 'commit',
      isCard: matcher.isCard,
      cards,
    });
    return {
      outcome: verdict.violations.length > 0 ? 'fail' : 'pass',
      branch: state.branch,
      amend,
      verdict,
    };
  } finally {
    cards.close();
  }
}
