import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CardMatcher } from '../branch/card-matcher.ts';
import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { GitError } from '../errors.ts';
import { gitDirs } from '../git/find-git-top-level.ts';
import { readBlobs } from '../git/git.ts';
import { INDEX_CARDS_CACHE, readBlobCache, writeBlobCache } from './blob-cache.ts';
import { checksum } from './checksum.ts';
import { indexLayout, type StagedCard } from './index-cards.ts';
import { type ChangedWindow, IndexListing } from './index-listing.ts';
import { replaceFile } from './replace-file.ts';
import { isPlain, isSlim, type SlimCard, slimCard } from './slim-card.ts';

/** Bump when the slim shape or the file's layout changes. */
const SNAPSHOT_VERSION = 'mikado-index-snapshot-1';

/** Where the snapshot lives, under the work tree's git directory: one per worktree. */
export const INDEX_SNAPSHOT = 'mikado/index-snapshot';

/** A card of the listing that is not plain (it has Mikado fields, or no frontmatter). */
interface FieldedEntry {
  /** Where its entry starts in the listing (bytes). */
  at: number;
  path: string;
  sha: string;
  slim: SlimCard;
}

/** The index as the commit hook reads it, for the cards around the staged ones. */
export interface IndexView {
  /** The staged cards asked for, in that order, with their text in the index. */
  staged: StagedCard[];
  /** The other cards of the index that are not plain, by path. */
  fielded: Map<string, { sha: string; slim: SlimCard }>;
  /** How many bytes of the listing were read entry by entry (the part that changed). */
  read: number;
  /**
   * Every card of the index with one of `stems` (duplicates too).
   * @param stems the stems
   * @returns their paths, sorted
   */
  cardsWithStems(stems: ReadonlySet<string>): string[];
  /**
   * The cards and the docs files a link can resolve to, found as `accept` would find them among
   * every card and every file under the docs root.
   * @param names the file names (lower case, without `.md` or `.markdown`) the links end in
   * @param accept whether a link can resolve to a repository path
   * @returns the cards' paths, sorted, and the docs files, in the index's order
   */
  linkCandidates(
    names: ReadonlySet<string>,
    accept: (path: string) => boolean,
  ): { cards: string[]; docs: FoundFile[] };
}

/**
 * Reads the index for the commit hook from `git ls-files -s -z` without going through every
 * entry: the listing of the last run is kept in `$GIT_DIR/mikado/index-snapshot` with the cards
 * that are not plain (and where their entries start), and only the part of the listing that
 * changed since (usually the staged cards) is read entry by entry; the rest is byte for byte
 * the last run's, so what was known of it holds. Cards are then found by stem and by name with
 * one search of the listing. The staged cards' text and the fields of changed cards the
 * blob-keyed cache does not know come from one `git cat-file --batch`.
 *
 * A snapshot that is missing, of another version or configuration, or damaged (its checksum, or
 * an entry it names that the listing does not hold at that place) is not used: the whole listing
 * is read, as on the first run. An unmerged entry (stages 1 to 3) is always in the changed part:
 * a snapshot is written only when its listing has none.
 * @param config the resolved configuration
 * @param staged the staged cards' paths
 * @param bytes `git ls-files -s -z` of the cards root and the docs root
 * @returns the view, or undefined when the index has unmerged entries or lacks a staged card
 *   (the caller then reads every card)
 */
export function readIndexView(
  config: MikadoConfig,
  staged: readonly string[],
  bytes: Buffer,
): IndexView | undefined {
  const listing = new IndexListing(bytes);
  const root = config.root;
  const { matcher, docsPrefix, inRoot, docsFile } = indexLayout(config);
  const dirs = gitDirs(root);
  const snapshotFile = path.join(dirs.gitDir, INDEX_SNAPSHOT);
  const key = `${SNAPSHOT_VERSION}:${import.meta.url}:${JSON.stringify([matcher.cardsRel, docsPrefix, config.exclude])}`;
  const old = readSnapshot(snapshotFile, key);
  const window = old && listing.changedSince(old.listing);
  const carried = old && window ? carry(old.fielded, window, listing) : undefined;
  const from = carried ? window!.from : 0;
  const to = carried ? window!.to : bytes.length;
  const changes = readChanges(listing, from, to, new Set(staged), matcher);
  if (!changes) return undefined;
  const { stagedAt, changed } = changes;
  for (const p of staged) {
    const found = stagedAt.get(p) ?? listing.find(p);
    if (!found) return undefined;
    stagedAt.set(p, found);
  }

  // The changed cards' fields, from the blob-keyed cache or read; and the staged cards' text.
  const cacheFile = path.join(dirs.commonDir, INDEX_CARDS_CACHE);
  const cache = changed.length > 0 ? readBlobCache(cacheFile) : undefined;
  const fields = new Map<string, SlimCard>();
  for (const c of changed) {
    const s = cache?.get(c.sha);
    if (s) fields.set(c.sha, s);
  }
  const stagedShas = [...stagedAt.values()].map((s) => s.sha);
  const misses = changed.filter((c) => !fields.has(c.sha));
  const blobs = readBlobs([...stagedShas, ...misses.map((c) => c.sha)], {
    cwd: root,
    objectsDir: path.join(dirs.commonDir, 'objects'),
  });
  if (!blobs) {
    throw new GitError('`git cat-file --batch` failed to read the staged cards', {
      fix: 'Run `git fsck` to check the repository, then commit again.',
    });
  }
  const textOf = (sha: string): string => blobs.get(sha)?.toString('utf8') ?? '';
  const fieldsOf = (sha: string, p: string): SlimCard =>
    slimCard(parseCardFrontmatter(textOf(sha), { path: p, absPath: inRoot(p) }));
  const added = new Map<string, SlimCard>();
  for (const c of misses) {
    if (fields.has(c.sha)) continue;
    fields.set(c.sha, fieldsOf(c.sha, c.path));
    // a blob git could not give reads as an empty file, and is not cached
    if (blobs.has(c.sha)) added.set(c.sha, fields.get(c.sha)!);
  }
  const fielded = [...(carried ?? [])];
  for (const c of [...changed, ...changes.stagedChanged]) {
    const s = fields.get(c.sha) ?? fieldsOf(c.sha, c.path);
    if (!isPlain(s)) fielded.push({ ...c, slim: s });
  }
  if (cache && added.size > 0) {
    for (const [sha, s] of added) cache.set(sha, s);
    // only a reading of the whole listing knows every blob the index holds, to keep those alone
    const keep =
      from === 0 && to === bytes.length && new Set([...changed.map((c) => c.sha), ...stagedShas]);
    writeBlobCache(
      cacheFile,
      [...cache].filter(([sha]) => !keep || keep.has(sha)),
    );
  }
  if (!old || !carried || from < to || !old.listing.equals(bytes)) {
    writeSnapshot(snapshotFile, key, bytes, fielded);
  }

  const stagedSet = new Set(staged);
  return {
    staged: staged.map((p) => ({ path: p, text: textOf(stagedAt.get(p)!.sha) })),
    fielded: new Map(fielded.filter((f) => !stagedSet.has(f.path)).map((f) => [f.path, f])),
    read: to - from,
    cardsWithStems: (stems) => listing.cardsWithStems(stems, matcher),
    linkCandidates: (names, accept) =>
      listing.linkCandidates(names, accept, matcher, (p) =>
        p.startsWith(docsPrefix) ? docsFile(p) : undefined,
      ),
  };
}

/** A card entry of the listing. */
interface CardEntry {
  at: number;
  path: string;
  sha: string;
}

/**
 * The card entries in `[from, to)`, the staged ones apart; undefined when an entry there is
 * unmerged.
 */
function readChanges(
  listing: IndexListing,
  from: number,
  to: number,
  staged: ReadonlySet<string>,
  matcher: CardMatcher,
):
  | {
      changed: CardEntry[];
      stagedChanged: CardEntry[];
      stagedAt: Map<string, { at: number; sha: string }>;
    }
  | undefined {
  const changed: CardEntry[] = [];
  const stagedChanged: CardEntry[] = [];
  const stagedAt = new Map<string, { at: number; sha: string }>();
  for (let at = from; at < to; ) {
    const e = listing.entryAt(at);
    if (e?.stage !== 0) return undefined;
    if (matcher.isCard(e.path)) {
      const entry = { at, path: e.path, sha: e.sha };
      if (staged.has(e.path)) {
        stagedChanged.push(entry);
        stagedAt.set(e.path, entry);
      } else {
        changed.push(entry);
      }
    }
    at = e.end + 1;
  }
  return { changed, stagedChanged, stagedAt };
}

/**
 * The last run's non-plain cards outside the changed window, where they now are; undefined when
 * one is not where it should be (a damaged snapshot).
 */
function carry(
  fielded: FieldedEntry[],
  window: ChangedWindow,
  now: IndexListing,
): FieldedEntry[] | undefined {
  const out: FieldedEntry[] = [];
  for (const f of fielded) {
    let at: number;
    if (f.at < window.from) at = f.at;
    else if (f.at >= window.oldTo) at = f.at + window.to - window.oldTo;
    else continue;
    const e = now.entryAt(at);
    if (e?.stage !== 0 || e.sha !== f.sha || e.path !== f.path) return undefined;
    out.push({ ...f, at });
  }
  return out;
}

/** The snapshot file: a line of JSON, then the listing it describes, byte for byte. */
interface SnapshotHead {
  version?: string;
  /** JSON of {@link SnapshotBody}, with its checksum. */
  body?: string;
  sum?: number;
}

interface SnapshotBody {
  size: number;
  fielded: [number, string, string, SlimCard][];
}

function readSnapshot(
  file: string,
  key: string,
): { listing: Buffer; fielded: FieldedEntry[] } | undefined {
  try {
    const bytes = readFileSync(file);
    const nl = bytes.indexOf(10);
    if (nl < 0) return undefined;
    const head = JSON.parse(bytes.toString('utf8', 0, nl)) as SnapshotHead;
    if (head?.version !== key || typeof head.body !== 'string') return undefined;
    if (head.sum !== checksum(head.body)) return undefined;
    const body = JSON.parse(head.body) as SnapshotBody;
    const listing = bytes.subarray(nl + 1);
    if (body.size !== listing.length || !Array.isArray(body.fielded)) return undefined;
    const fielded: FieldedEntry[] = [];
    for (const f of body.fielded) {
      if (!Array.isArray(f) || f.length !== 4) return undefined;
      const [at, p, sha, slim] = f;
      if (!Number.isSafeInteger(at) || typeof p !== 'string' || typeof sha !== 'string') {
        return undefined;
      }
      if (!isSlim(slim)) return undefined;
      fielded.push({ at, path: p, sha, slim });
    }
    return { listing, fielded };
  } catch {
    return undefined;
  }
}

function writeSnapshot(file: string, key: string, listing: Buffer, fielded: FieldedEntry[]): void {
  const body = JSON.stringify({
    size: listing.length,
    fielded: fielded.map((f) => [f.at, f.path, f.sha, f.slim]),
  } satisfies SnapshotBody);
  const head = JSON.stringify({ version: key, body, sum: checksum(body) } satisfies SnapshotHead);
  replaceFile(file, Buffer.concat([Buffer.from(`${head}\n`), listing]));
}
