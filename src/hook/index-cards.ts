import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cardMatcher, cardStem } from '../branch/card-matcher.ts';
import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';
import type { Card, Place } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { GitError } from '../errors.ts';
import { gitDirs } from '../git/find-git-top-level.ts';
import { git, readBlobs } from '../git/git.ts';

/** Bump when the frontmatter parser, the slim shape or the file's layout changes. */
const CACHE_VERSION = 'mikado-index-cards-3';

/** Where the cache lives, under the repository's (common) git directory: never in `git status`. */
export const INDEX_CARDS_CACHE = 'mikado/index-cards.json';

/** What the graph rules read of a card, by blob (content-addressed: never stale). */
interface SlimCard {
  status: 'active' | null;
  requires: string[];
  branch?: string;
  /** The places of `requires` and `branch` (where graph findings point). */
  places?: Record<string, Place>;
  /** The file has frontmatter. */
  fm: boolean;
}

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
 * @returns the staged cards, the other cards, the docs files and the cache hits
 */
export function loadIndexCards(config: MikadoConfig, staged: readonly string[]): IndexCards {
  const root = config.root;
  // git paths are normalized and `/`-separated: joining them needs no path.join (10,000 times)
  const inRoot =
    path.sep === '/'
      ? (p: string) => `${root.replace(/\/$/, '')}/${p}`
      : (p: string) => path.join(root, p);
  const matcher = cardMatcher(config);
  const docsRel = path.relative(root, config.docsDir).split(path.sep).join('/');
  const specs = [...new Set([matcher.cardsRel || '.', docsRel || '.'])];
  const listed = git(['ls-files', '-s', '-z', '--', ...specs], { cwd: root });
  const skip = new Set(staged);
  const stagedShas = new Map<string, string>();
  const paths: string[] = [];
  const shas: string[] = [];
  const docs: string[] = [];
  const docsPrefix = docsRel === '' ? '' : `${docsRel}/`;
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
  const cache = readCache(cacheFile);
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
      added.set(sha, slim(parseCardFrontmatter(text, { path: p, absPath: inRoot(p) })));
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
    slims[i] = added.get(shas[i]!) ?? slim(parseCardFrontmatter('', pathsOf(paths[i]!, inRoot)));
  }
  if (added.size > 0) {
    const keep = new Set([...shas, ...stagedShas.values()]);
    for (const [sha, s] of added) cache.set(sha, s);
    writeCache(
      cacheFile,
      [...cache].filter(([sha]) => keep.has(sha)),
    );
  }
  const cards = paths
    .map((p, i) => toCard(inRoot(p), p, slims[i]!))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    staged: stagedCards,
    cards,
    docs,
    docsFile: (p) => ({ absPath: inRoot(p), path: p, relToDir: p.slice(docsPrefix.length) }),
    cacheHits: paths.length - misses.length,
  };
}

function pathsOf(p: string, inRoot: (p: string) => string): { path: string; absPath: string } {
  return { path: p, absPath: inRoot(p) };
}

function slim(card: Card): SlimCard {
  const places: Record<string, Place> = {};
  for (const [k, v] of Object.entries(card.places ?? {})) {
    if (k.startsWith('requires') || k.startsWith('branch')) places[k] = v;
  }
  const out: SlimCard = {
    status: card.status,
    requires: card.requires,
    fm: card.frontmatter !== null,
  };
  if (card.branch !== undefined) out.branch = card.branch;
  if (Object.keys(places).length > 0) out.places = places;
  return out;
}

/**
 * Lists no card reads or changes: the other cards share them (frozen, so a change would throw
 * rather than reach another card).
 */
const NOTHING = Object.freeze([]) as unknown as never[];
const NO_FIELDS = Object.freeze({});

function toCard(absPath: string, p: string, s: SlimCard): Card {
  return {
    stem: cardStem(p),
    path: p,
    absPath,
    tags: NOTHING,
    status: s.status,
    requires: s.requires.length === 0 ? NOTHING : s.requires,
    branch: s.branch,
    frontmatter: s.fm ? NO_FIELDS : null,
    bodyLine: 1,
    body: '',
    headings: NOTHING,
    links: NOTHING,
    blocks: NOTHING,
    places: s.places,
    diagnostics: NOTHING,
  };
}

function cacheKey(): string {
  return `${CACHE_VERSION}:${import.meta.url}`;
}

/** A card with frontmatter and no Mikado fields: most cards, stored as a bare blob id. */
const PLAIN: SlimCard = Object.freeze({ status: null, requires: NOTHING, fm: true });

function isPlain(s: SlimCard): boolean {
  return s.fm && s.status === null && s.requires.length === 0 && !s.branch && !s.places;
}

/**
 * The cache file: the plain cards' blob ids, sorted, in one string of `width`-long ids (looked up
 * by binary search, never split), and the other cards by blob id, as JSON text with its checksum
 * (`sum`): a file damaged in place is not read from. A damaged id among the plain ones can only
 * fail to match (ids are sorted and hex, and are checked for both).
 */
interface CacheFile {
  version?: string;
  width?: number;
  plain?: string;
  entries?: string;
  sum?: number;
}

/** The cache: the plain cards' ids and the other cards' fields, by blob id. */
interface IndexCardsCache {
  has(sha: string): boolean;
  get(sha: string): SlimCard | undefined;
  set(sha: string, s: SlimCard): void;
  [Symbol.iterator](): Iterator<[string, SlimCard]>;
}

/**
 * Reads the cache, or starts an empty one when the file is missing, of another version, or not
 * exactly what {@link writeCache} writes (a damaged file is never read from, only replaced).
 * @param file the cache file
 * @returns the cache
 */
function readCache(file: string): IndexCardsCache {
  const empty = cacheOf('', 40, {});
  let data: CacheFile;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
  } catch {
    return empty;
  }
  const { version, width, plain, entries, sum } = data ?? {};
  if (
    version !== cacheKey() ||
    (width !== 40 && width !== 64) ||
    typeof plain !== 'string' ||
    plain.length % width !== 0 ||
    !/^[0-9a-f]*$/.test(plain) ||
    !isSorted(plain, width) ||
    typeof entries !== 'string' ||
    sum !== checksum(entries)
  ) {
    return empty;
  }
  let others: unknown;
  try {
    others = JSON.parse(entries);
  } catch {
    return empty;
  }
  const valid =
    typeof others === 'object' &&
    others !== null &&
    Object.entries(others).every(([sha, s]) => /^[0-9a-f]+$/.test(sha) && isSlim(s));
  return valid ? cacheOf(plain, width, others as Record<string, SlimCard>) : empty;
}

/**
 * A 53-bit checksum of a text (cyrb53): enough to tell a damaged file, and cheaper than loading
 * `node:crypto` in the commit hook.
 * @param text the text
 * @returns the checksum
 */
function checksum(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function cacheOf(plain: string, width: number, entries: Record<string, SlimCard>): IndexCardsCache {
  const others = new Map(Object.entries(entries));
  const added = new Map<string, SlimCard>();
  const get = (sha: string): SlimCard | undefined =>
    others.get(sha) ?? added.get(sha) ?? (hasId(plain, width, sha) ? PLAIN : undefined);
  return {
    has: (sha) => get(sha) !== undefined,
    get,
    set: (sha, s) => void added.set(sha, s),
    *[Symbol.iterator]() {
      for (let at = 0; at < plain.length; at += width) yield [plain.slice(at, at + width), PLAIN];
      yield* others;
      yield* added;
    },
  };
}

/** Whether `ids` (sorted `width`-long ids, end to end) holds `sha`: a binary search. */
function hasId(ids: string, width: number, sha: string): boolean {
  if (sha.length !== width) return false;
  let lo = 0;
  let hi = ids.length / width;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareAt(ids, mid * width, sha, 0, width);
    if (order === 0) return true;
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

function isSorted(ids: string, width: number): boolean {
  for (let at = width; at < ids.length; at += width) {
    if (compareAt(ids, at - width, ids, at, width) >= 0) return false;
  }
  return true;
}

function compareAt(a: string, from: number, b: string, at: number, width: number): number {
  for (let i = 0; i < width; i++) {
    const d = a.charCodeAt(from + i) - b.charCodeAt(at + i);
    if (d !== 0) return d;
  }
  return 0;
}

function isSlim(s: unknown): s is SlimCard {
  if (typeof s !== 'object' || s === null) return false;
  const c = s as Record<string, unknown>;
  const place = (p: unknown) =>
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger((p as Place).line) &&
    Number.isInteger((p as Place).column);
  return (
    (c['status'] === 'active' || c['status'] === null) &&
    Array.isArray(c['requires']) &&
    c['requires'].every((r) => typeof r === 'string') &&
    (c['branch'] === undefined || typeof c['branch'] === 'string') &&
    (c['places'] === undefined ||
      (typeof c['places'] === 'object' &&
        c['places'] !== null &&
        Object.values(c['places']).every(place))) &&
    typeof c['fm'] === 'boolean' &&
    Object.keys(c).every((k) => ['status', 'requires', 'branch', 'places', 'fm'].includes(k))
  );
}

function writeCache(file: string, entries: [string, SlimCard][]): void {
  const plain = entries.flatMap(([sha, s]) => (isPlain(s) ? [sha] : [])).sort();
  const width = plain[0]?.length ?? 40;
  // ids of another length (a repository changing its hash) are not kept as plain
  const ids = plain.filter((sha) => sha.length === width && /^[0-9a-f]+$/.test(sha));
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // loaded here, on a cache miss only: importing it costs the warm hook more than its work
    const writeFileAtomic = createRequire(import.meta.url)(
      'write-file-atomic',
    ) as typeof import('write-file-atomic');
    const others = JSON.stringify(Object.fromEntries(entries.filter(([, s]) => !isPlain(s))));
    writeFileAtomic.sync(
      file,
      JSON.stringify({
        version: cacheKey(),
        width,
        plain: [...new Set(ids)].join(''),
        entries: others,
        sum: checksum(others),
      } satisfies CacheFile),
    );
  } catch {
    // A cache that cannot be written only costs time.
  }
}
