import { closeSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Card } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import { shellQuote } from '../shell-quote.ts';
import type { CommittedCards } from './committed-cards.ts';

/** How a card of the chain differs from what git committed at HEAD. */
export type DirtyState =
  /** its bytes differ from HEAD's */
  | 'modified'
  /** git has no such file at HEAD */
  | 'untracked'
  /** committed, but missing from the work tree */
  | 'deleted'
  /** a symbolic link in the work tree, or reached through one */
  | 'symlink'
  /** there is no commit to compare with (no repository, or no commit yet) */
  | 'no-git';

/** A card git does not vouch for. */
export interface DirtyCard {
  /** Path relative to the root. */
  path: string;
  state: DirtyState;
}

/**
 * Finds the cards of a chain that git does not vouch for: every card must be committed at HEAD
 * and byte-identical in the work tree, as a regular file reached without symbolic links; and no
 * other file in the work tree may carry the stem of a chain card.
 * @param root repository root
 * @param chain the chain's cards
 * @param committed the cards at HEAD, or undefined when there is no commit to compare with
 * @param workTree the card files the walker finds in the work tree
 * @returns the dirty cards, in chain order, then the extra files (empty when all are clean)
 */
export function findDirtyCards(
  root: string,
  chain: readonly Card[],
  committed: CommittedCards | undefined,
  workTree: readonly FoundFile[],
): DirtyCard[] {
  const out: DirtyCard[] = [];
  let realRoot = root;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    // compared as given
  }
  for (const card of chain) {
    if (!committed) {
      out.push({ path: card.path, state: 'no-git' });
      continue;
    }
    const state = workTreeState(root, realRoot, card.path, committed.bytes.get(card.path));
    if (state) out.push({ path: card.path, state });
  }
  const stems = new Set(chain.map((c) => c.stem));
  const paths = new Set(chain.map((c) => c.path));
  for (const f of workTree) {
    if (paths.has(f.path) || committed?.bytes.has(f.path)) continue;
    const stem = path.basename(f.path).replace(/\.(md|markdown)$/i, '');
    if (stems.has(stem)) out.push({ path: f.path, state: 'untracked' });
  }
  return out;
}

function workTreeState(
  root: string,
  realRoot: string,
  rel: string,
  head: Buffer | undefined,
): DirtyState | undefined {
  const abs = path.join(root, rel);
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(abs);
  } catch {
    return head ? 'deleted' : 'untracked';
  }
  if (st.isSymbolicLink()) return 'symlink';
  try {
    if (realpathSync.native(abs) !== path.join(realRoot, rel)) return 'symlink';
  } catch {
    return 'symlink';
  }
  if (!head) return 'untracked';
  if (!st.isFile() || st.size !== head.length) return 'modified';
  return sameBytes(abs, head) ? undefined : 'modified';
}

function sameBytes(file: string, expected: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    // One byte more than expected, so a file that grew since the stat is seen to differ.
    const buf = Buffer.alloc(expected.length + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    return n === expected.length && buf.subarray(0, n).equals(expected);
  } finally {
    closeSync(fd);
  }
}

/**
 * Says in words how a card differs from HEAD.
 * @param state the state
 * @returns a phrase such as `modified since HEAD`
 */
export function describeDirty(state: DirtyState): string {
  switch (state) {
    case 'modified':
      return 'modified since HEAD';
    case 'untracked':
      return 'untracked (not committed at HEAD)';
    case 'deleted':
      return 'deleted from the work tree';
    case 'symlink':
      return 'replaced by a symbolic link (or reached through one)';
    case 'no-git':
      return 'not committed (no git repository or no commit)';
  }
}

/**
 * The literal commands that make a dirty card clean again.
 * @param d the card
 * @returns a sentence with commands
 */
export function dirtyFix(d: DirtyCard): string {
  const p = shellQuote(d.path);
  if (d.state === 'untracked') {
    return `commit it, move it out of the cards root, or pass \`--allow-dirty\``;
  }
  if (d.state === 'no-git') return 'commit the cards, or pass `--allow-dirty`';
  return `commit the change, restore the committed card (\`git restore --source=HEAD --staged --worktree -- ${p}\`), or pass \`--allow-dirty\``;
}
