import { rmSync } from 'node:fs';
import path from 'node:path';
import { git, gitTry } from '../git/git.ts';

/** Which part of a stash to keep. */
export type StashPartKind = 'cards' | 'rest';

/**
 * Makes a stash-like commit holding only part of a stash: its card changes, or everything else.
 * The reset restores the card changes on the reset point (they become the plan) and the replay
 * restores the rest on the replayed branch, each with `git stash apply --index`.
 * @param root repository root
 * @param gitDir the worktree's git directory (for a temporary index)
 * @param stash the stash commit
 * @param isCard whether a path is a card
 * @param part `cards` or `rest`
 * @returns the stash-like commit, or undefined when that part has no changes
 */
export function stashPart(
  root: string,
  gitDir: string,
  stash: string,
  isCard: (p: string) => boolean,
  part: StashPartKind,
): string | undefined {
  const run = (args: string[], env?: NodeJS.ProcessEnv, input?: string): string =>
    git(args, { cwd: root, env: env && { ...process.env, ...env }, input });
  const base = run(['rev-parse', `${stash}^1`]).trim();
  const index = run(['rev-parse', `${stash}^2`]).trim();
  const untracked = gitTry(['rev-parse', '-q', '--verify', `${stash}^3`], { cwd: root });
  const names = (args: string[]): string[] => run(args).split('\0').filter(Boolean);
  const changed = new Set([
    ...names(['diff', '--name-only', '-z', '--no-renames', base, stash, '--']),
    ...names(['diff', '--name-only', '-z', '--no-renames', base, index, '--']),
  ]);
  const cards = [...changed].filter(isCard);
  const untrackedPaths = untracked ? names(['ls-tree', '-r', '-z', '--name-only', untracked]) : [];
  const untrackedCards = untrackedPaths.filter(isCard);
  const tmpIndex = path.join(gitDir, `mikado-stash-part-${process.pid}.index`);
  const env = { GIT_INDEX_FILE: tmpIndex };
  /** `start`'s tree with `paths` taken from `from` (removed where `from` lacks them). */
  const treeWith = (start: string, from: string | undefined, paths: string[]): string => {
    rmSync(tmpIndex, { force: true });
    run(['read-tree', start], env);
    if (paths.length > 0) {
      const present = new Map<string, string>();
      if (from) {
        const listed = run(['--literal-pathspecs', 'ls-tree', '-r', '-z', from, '--', ...paths]);
        for (const line of listed.split('\0').filter(Boolean)) {
          const tab = line.indexOf('\t');
          const [mode = '', , sha = ''] = line.slice(0, tab).split(' ');
          present.set(line.slice(tab + 1), `${mode} ${sha}`);
        }
      }
      const zero = '0 0000000000000000000000000000000000000000';
      const info = paths.map((p) => `${present.get(p) ?? zero}\t${p}\0`).join('');
      run(['update-index', '-z', '--index-info'], env, info);
    }
    return run(['write-tree'], env).trim();
  };
  const emptyTree = run(['hash-object', '-t', 'tree', '--stdin'], undefined, '').trim();
  try {
    let work: string;
    let staged: string;
    let loose: string | undefined;
    if (part === 'cards') {
      work = treeWith(base, stash, cards);
      staged = treeWith(base, index, cards);
      loose =
        untrackedCards.length > 0 ? treeWith(emptyTree, untracked, untrackedCards) : undefined;
    } else {
      work = treeWith(stash, base, cards);
      staged = treeWith(index, base, cards);
      const rest = untrackedPaths.filter((p) => !isCard(p));
      loose =
        rest.length > 0 ? treeWith(untracked ?? emptyTree, undefined, untrackedCards) : undefined;
    }
    const baseTree = run(['rev-parse', `${base}^{tree}`]).trim();
    if (work === baseTree && staged === baseTree && !loose) return undefined;
    const commit = (tree: string, parents: string[], message: string): string =>
      run(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message]).trim();
    const indexCommit = commit(staged, [base], `index: the ${part} of ${stash}`);
    const parents = [base, indexCommit];
    if (loose) parents.push(commit(loose, [], `untracked: the ${part} of ${stash}`));
    return commit(work, parents, `mikado: the ${part} of ${stash}`);
  } finally {
    rmSync(tmpIndex, { force: true });
  }
}

/**
 * Applies a stash (or a {@link stashPart}) keeping what was staged staged; when the index cannot
 * be restored as it was, applies the changes unstaged instead.
 * @param root repository root
 * @param stash the stash commit
 * @returns `ok`, or `conflict` when the changes met others (markers left in the files)
 */
export function applyStash(root: string, stash: string): 'ok' | 'conflict' {
  if (gitTry(['stash', 'apply', '--index', '--quiet', stash], { cwd: root }) !== undefined) {
    return 'ok';
  }
  const clean =
    gitTry(['diff', '--quiet'], { cwd: root }) !== undefined &&
    gitTry(['diff', '--cached', '--quiet'], { cwd: root }) !== undefined;
  if (clean && gitTry(['stash', 'apply', '--quiet', stash], { cwd: root }) !== undefined) {
    return 'ok';
  }
  return 'conflict';
}
