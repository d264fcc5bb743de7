import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type BranchCommit,
  baseGlobs,
  baseRefsArgs,
  logArgs,
  parseBaseRefs,
  parseLog,
  readBranchHistory,
  stagedPaths,
  stagedPathsAsync,
} from '../branch/branch-history.ts';
import { cardMatcher } from '../branch/card-matcher.ts';
import { gitCardSource } from '../branch/git-card-source.ts';
import {
  type JudgedCommit,
  judgeBranch,
  judgedCommits,
  type Verdict,
} from '../branch/judge-branch.ts';
import { mikadoStem, readRepoState } from '../branch/repo-state.ts';
import type { MikadoConfig } from '../config/types.ts';
import { GitError, UsageError } from '../errors.ts';
import { gitAsync, gitTry } from '../git/git.ts';
import { readMessageFile } from '../read-bounded-file.ts';
import { cleanMessage, subjectOf } from './clean-message.ts';
import { detectAmend } from './detect-amend.ts';

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
  const { root, head } = state;
  const file = path.resolve(options.cwd, options.file);
  if (!existsSync(file)) {
    throw new UsageError(`${options.file}: no such message file`, {
      fix: 'Run `mikado hook commit-msg` from the commit-msg hook, which passes the message file.',
    });
  }
  const config = options.config(root);
  const matcher = cardMatcher(config);
  const cards = gitCardSource(root, matcher);
  const amend = head !== undefined && detectAmend({ env: options.env });
  // Independent git commands run side by side; each is one process for the whole branch.
  const cfgP = gitAsync(
    ['config', '-z', '--get-regexp', '^(core\\.comment(char|string)|commit\\.cleanup)$'],
    {
      cwd: root,
    },
  );
  const baseP = gitAsync(baseRefsArgs(config.baseBranch), { cwd: root });
  const logP = head
    ? gitAsync(logArgs(head, ['--not', ...baseGlobs(config.baseBranch)]), { cwd: root })
    : undefined;
  const stagedP = amend ? undefined : stagedPathsAsync(root, head);
  void cards.findCard('', stem);

  const cfg = parseConfigList((await cfgP)?.toString('utf8') ?? '');
  const message = cleanMessage(readMessageFile(file, options.file), {
    commentChar: cfg.get('core.commentstring') ?? cfg.get('core.commentchar'),
    cleanup: cfg.get('commit.cleanup'),
    editorUsed: options.env['GIT_EDITOR'] !== ':',
  });
  const subject = subjectOf(message);
  try {
    if (subject === '') return { outcome: 'skip', branch: state.branch };
    const base = parseBaseRefs((await baseP)?.toString('utf8') ?? '', config.baseBranch);
    let history: BranchCommit[] = [];
    if (head && !base.fallback) {
      const log = await logP;
      if (!log) throw new GitError(`\`git log\` failed on \`${state.branch}\``);
      history = parseLog(log.toString('utf8')).reverse();
    } else if (head) {
      // No base branch here at all: the branch is what no other branch has (one more git log).
      history = readBranchHistory(root, head, state.branch, base).commits;
    }
    // With no commits of its own, HEAD is where the branch leaves its base.
    let baseSha = history[0]?.parents[0] ?? head;
    let parent = head;
    let merge = existsSync(path.join(state.gitDir, 'MERGE_HEAD'));
    if (amend) {
      const last = history[history.length - 1];
      if (last && last.sha === head) {
        history = history.slice(0, -1);
        parent = last.parents[0];
        merge = merge || last.parents.length > 1;
        if (history.length === 0) baseSha = parent ?? baseSha;
      } else {
        parent = gitTry(['rev-parse', '-q', '--verify', `${head}^`], { cwd: root });
      }
    }
    const next: JudgedCommit = {
      sha: null,
      parent,
      subject,
      paths: stagedP ? await stagedP : stagedPaths(root, parent),
      merge,
    };
    const commits: JudgedCommit[] = [...judgedCommits(history), next];
    const verdict = await judgeBranch({
      stem,
      base: { ...base, sha: baseSha },
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

function parseConfigList(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of text.split('\0')) {
    if (entry === '') continue;
    const nl = entry.indexOf('\n');
    out.set(nl < 0 ? entry : entry.slice(0, nl), nl < 0 ? '' : entry.slice(nl + 1));
  }
  return out;
}
