import path from 'node:path';
import { type CardMatcher, cardMatcher } from '../branch/card-matcher.ts';
import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';
import type { Card } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { GitError } from '../errors.ts';
import { gitDirs } from '../git/find-git-top-level.ts';
import { git, readBlobs } from '../git/git.ts';
import { INDEX_CARDS_CACHE, readBlobCache, writeBlobCache } from './blob-cache.ts';
import { cardFromSlim, type SlimCard, slimCard } from './slim-card.ts';

/** A card staged for the commit: its path and its text in the index. */
export interface StagedCard {
  path: string;
  text: string;
}

/** The cards and the docs files in the git index. */
export interface IndexCards {
  /** The staged cards asked for, in that order, with their text in the index. */
  staged: StagedCard[];
  /** Every other card in the index except the skipped ones, frontmatter only, sorted by path. */
  cards: Card[];
  /** The path of every file in the index under the docs root (for link resolution). */
  docs: string[];
  /**
   * A file of {@link docs} as the docs index takes it.
   * @param path its path
   * @returns the file
   */
  docsFile(path: string): FoundFile;
  /** How many of the other cards came from the cache. */
  cacheHits: number;
}

/**
 * Reads the staged cards' text and every other card of the git index (what the commit will
 * hold) through the frontmatter fast path, with a cache keyed by blob id in
 * `$GIT_DIR/mikado/index-cards.json`: one `git ls-files`, and one `git cat-file --batch` for the
 * staged cards and the cards the cache does not know. The staged cards go into the cache too:
 * once committed, they are the next commit's other cards. The commit hook checks a few staged
 * cards against thousands of others this way.
 * @param config the resolved configuration
 * @param staged the staged cards' paths (read as text, parsed in full by the caller)
 * @param listing `git ls-files -s -z` of the layout's specs, when the caller has it
 * @returns the staged cards, the other cards, the docs files and the cache hits
 */
export function loadIndexCards(
  config: MikadoConfig,
  staged: readonly string[],
  listing?: string,
): IndexCards {
  const root = config.root;
  const { specs, matcher, docsPrefix, inRoot, docsFile } = indexLayout(config);
  const listed = listing ?? git(['ls-files', '-s', '-z', '--', ...specs], { cwd: root });
  const skip = new Set(staged);
  const stagedShas = new Map<string, string>();
  const paths: string[] = [];
  const shas: string[] = [];
  const docs: string[] = [];
  // the last card kept: an unmerged path's entries (stages 1 to 3) follow each other
  let kept = '';
  for (let at = 0; at < listed.length; ) {
    const nul = listed.indexOf('\0', at);
    const end = nul < 0 ? listed.length : nul;
    const tab = listed.indexOf('\t', at);
    const entry = at;
    at = end + 1;
    if (tab < 0 || tab > end) continue;
    // `MODE SHA STAGE\tPATH`: the mode is 6 digits, the id 40 (SHA-1) or 64 (SHA-256) hex digits
    const p = listed.slice(tab + 1, end);
    const stage = listed.charCodeAt(tab - 1) - 48;
    if (p === kept) continue;
    if (p.startsWith(docsPrefix)) docs.push(p);
    if (!matcher.isCard(p)) continue;
    const sha = listed.slice(entry + 7, tab - 2);
    if (!skip.has(p)) {
      paths.push(p);
      shas.push(sha);
      kept = p;
    } else if (stage === 0) {
      stagedShas.set(p, sha);
    }
  }
  const cacheFile = path.join(gitDirs(root).commonDir, INDEX_CARDS_CACHE);
  const cache = readBlobCache(cacheFile);
  const slims = shas.map((sha) => cache.get(sha));
  const misses = slims.flatMap((s, i) => (s === undefined ? [i] : []));
  const blobs = readBlobs([...stagedShas.values(), ...misses.map((i) => shas[i]!)], { cwd: root });
  if (!blobs) {
    throw new GitError('`git cat-file --batch` failed to read the staged cards', {
      fix: 'Run `git fsck` to check the repository, then commit again.',
    });
  }
  const added = new Map<string, SlimCard>();
  const read = (sha: string, p: string): string => {
    const text = blobs.get(sha)?.toString('utf8') ?? '';
    if (blobs.has(sha) && !cache.has(sha)) {
      added.set(sha, slimCard(parseCardFrontmatter(text, { path: p, absPath: inRoot(p) })));
    }
    return text;
  };
  const stagedCards = staged.map((p) => {
    const sha = stagedShas.get(p);
    return { path: p, text: sha === undefined ? '' : read(sha, p) };
  });
  for (const i of misses) {
    read(shas[i]!, paths[i]!);
    // a blob git could not give reads as an empty file, and is not cached
    slims[i] =
      added.get(shas[i]!) ?? slimCard(parseCardFrontmatter('', pathsOf(paths[i]!, inRoot)));
  }
  if (added.size > 0) {
    const keep = new Set([...shas, ...stagedShas.values()]);
    for (const [sha, s] of added) cache.set(sha, s);
    writeBlobCache(
      cacheFile,
      [...cache].filter(([sha]) => keep.has(sha)),
    );
  }
  const cards = paths
    .map((p, i) => cardFromSlim(inRoot(p), p, slims[i]!))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    staged: stagedCards,
    cards,
    docs,
    docsFile,
    cacheHits: paths.length - misses.length,
  };
}

function pathsOf(p: string, inRoot: (p: string) => string): { path: string; absPath: string } {
  return { path: p, absPath: inRoot(p) };
}

/** Where the commit hook finds the cards and the docs in the index. */
export interface IndexLayout {
  /** The pathspecs of the listing it reads: the cards root and the docs root. */
  specs: string[];
  /** Which repository paths are cards. */
  matcher: CardMatcher;
  /** The docs root as the start of repository paths under it (`docs/`; `''` for the root). */
  docsPrefix: string;
  /**
   * A repository path as an absolute one.
   * @param p a `/`-separated repository path
   * @returns the absolute path
   */
  inRoot(p: string): string;
  /**
   * A path under the docs root as the docs index takes it.
   * @param p a repository path under the docs root
   * @returns the file
   */
  docsFile(p: string): FoundFile;
}

/**
 * The hook's {@link IndexLayout} for a configuration.
 * @param config the resolved configuration
 * @returns the layout
 */
export function indexLayout(config: MikadoConfig): IndexLayout {
  const root = config.root;
  const rel = (dir: string) => path.relative(root, dir).split(path.sep).join('/');
  const matcher = cardMatcher(config);
  const docsRel = rel(config.docsDir);
  const docsPrefix = docsRel === '' ? '' : `${docsRel}/`;
  // git paths are normalized and `/`-separated: joining them needs no path.join (10,000 times)
  const inRoot =
    path.sep === '/'
      ? (p: string) => `${root.replace(/\/$/, '')}/${p}`
      : (p: string) => path.join(root, p);
  return {
    specs: [...new Set([matcher.cardsRel || '.', docsRel || '.'])],
    matcher,
    docsPrefix,
    inRoot,
    docsFile: (p) => ({ absPath: inRoot(p), path: p, relToDir: p.slice(docsPrefix.length) }),
  };
}
