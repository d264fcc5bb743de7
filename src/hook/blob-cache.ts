import { readFileSync } from 'node:fs';
import { checksum } from './checksum.ts';
import { replaceFile } from './replace-file.ts';
import { isPlain, isSlim, PLAIN, type SlimCard } from './slim-card.ts';

/** Bump when the frontmatter parser, the slim shape or the file's layout changes. */
const CACHE_VERSION = 'mikado-index-cards-3';

/** Where the cache lives, under the repository's (common) git directory: never in `git status`. */
export const INDEX_CARDS_CACHE = 'mikado/index-cards.json';

function cacheKey(): string {
  return `${CACHE_VERSION}:${import.meta.url}`;
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
export interface BlobCache {
  has(sha: string): boolean;
  get(sha: string): SlimCard | undefined;
  set(sha: string, s: SlimCard): void;
  [Symbol.iterator](): Iterator<[string, SlimCard]>;
}

/**
 * Reads the cache, or starts an empty one when the file is missing, of another version, or not
 * exactly what {@link writeBlobCache} writes (a damaged file is never read from, only replaced).
 * @param file the cache file
 * @returns the cache
 */
export function readBlobCache(file: string): BlobCache {
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

function cacheOf(plain: string, width: number, entries: Record<string, SlimCard>): BlobCache {
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

/**
 * Writes the cache, whole or not at all; a cache that cannot be written only costs time.
 * @param file the cache file
 * @param entries the slim cards to keep, by blob id
 */
export function writeBlobCache(file: string, entries: [string, SlimCard][]): void {
  const plain = entries.flatMap(([sha, s]) => (isPlain(s) ? [sha] : [])).sort();
  const width = plain[0]?.length ?? 40;
  // ids of another length (a repository changing its hash) are not kept as plain
  const ids = plain.filter((sha) => sha.length === width && /^[0-9a-f]+$/.test(sha));
  const others = JSON.stringify(Object.fromEntries(entries.filter(([, s]) => !isPlain(s))));
  replaceFile(
    file,
    JSON.stringify({
      version: cacheKey(),
      width,
      plain: [...new Set(ids)].join(''),
      entries: others,
      sum: checksum(others),
    } satisfies CacheFile),
  );
}
