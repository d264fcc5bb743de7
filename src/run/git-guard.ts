import { execFileSync } from 'node:child_process';

/** A card git does not vouch for. */
export interface DirtyCard {
  /** Path relative to the root. */
  path: string;
  /** `untracked` (not in git, or ignored), `modified` (changed or staged since HEAD), or `no-git`. */
  state: 'untracked' | 'modified' | 'no-git';
}

function git(root: string, args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * Finds which of the given cards git does not track unmodified: untracked or ignored files, and
 * files changed (staged or not) since HEAD.
 * @param root repository root
 * @param paths card paths relative to the root
 * @returns the dirty cards, in the order given (empty when all are clean)
 */
export function findDirtyCards(root: string, paths: readonly string[]): DirtyCard[] {
  if (paths.length === 0) return [];
  let tracked: Set<string>;
  let changed: Set<string>;
  try {
    tracked = new Set(
      git(root, ['ls-files', '-z', '--', ...paths])
        .split('\0')
        .filter(Boolean),
    );
    const status = git(root, [
      'status',
      '--porcelain=v1',
      '-z',
      '--untracked-files=all',
      '--',
      ...paths,
    ]);
    const prefix = git(root, ['rev-parse', '--show-prefix']).trim();
    const rel = (p: string): string => (p.startsWith(prefix) ? p.slice(prefix.length) : p);
    changed = new Set();
    const entries = status.split('\0');
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.length < 4) continue;
      changed.add(rel(e.slice(3)));
      // A rename or copy is followed by its source path.
      if (e[0] === 'R' || e[0] === 'C') changed.add(rel(entries[++i] ?? ''));
    }
  } catch {
    return paths.map((p) => ({ path: p, state: 'no-git' }));
  }
  const out: DirtyCard[] = [];
  for (const p of paths) {
    if (!tracked.has(p)) out.push({ path: p, state: 'untracked' });
    else if (changed.has(p)) out.push({ path: p, state: 'modified' });
  }
  return out;
}
