import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cardMatcher, cardStem } from '../branch/card-matcher.ts';
import { parseCardFrontmatter } from '../cards/parse-card-frontmatter.ts';
import type { Card, Place } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { CatFile, git } from '../git/git.ts';

/** Bump when the frontmatter parser or the slim shape changes. */
const CACHE_VERSION = 'mikado-index-cards-2';

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

/** The cards and the docs files in the git index. */
export interface IndexCards {
  /** Every card in the index except the skipped ones, frontmatter only, sorted by path. */
  cards: Card[];
  /** Every file in the index under the docs root (for link resolution). */
  docs: FoundFile[];
  /** How many cards came from the cache. */
  cacheHits: number;
}

/**
 * Reads every card of the git index (what the commit will hold) through the frontmatter fast
 * path, with a cache keyed by blob id in `$GIT_DIR/mikado/index-cards.json`: one `git ls-files` and,
 * once the cache is warm, no card read at all. The commit hook checks a few staged cards against
 * thousands of others this way.
 * @param config the resolved configuration
 * @param skip card paths not to read (the staged cards, parsed in full by the caller)
 * @returns the cards, the docs files and the cache hits
 */
export async function loadIndexCards(
  config: MikadoConfig,
  skip: ReadonlySet<string>,
): Promise<IndexCards> {
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
  const blobs = new Map<string, string>();
  const docs: FoundFile[] = [];
  const docsPrefix = docsRel === '' ? '' : `${docsRel}/`;
  for (const entry of listed.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const p = entry.slice(tab + 1);
    // `MODE SHA STAGE\tPATH`: the mode is 6 digits, the id 40 (SHA-1) or 64 (SHA-256) hex digits
    const sha = entry.slice(7, tab - 2);
    const stage = entry.charCodeAt(tab - 1) - 48;
    if (stage !== 0 && blobs.has(p)) continue;
    if (p.startsWith(docsPrefix) && !blobs.has(p)) {
      docs.push({ absPath: inRoot(p), path: p, relToDir: p.slice(docsPrefix.length) });
    }
    if (matcher.isCard(p) && !skip.has(p)) blobs.set(p, sha);
  }
  const gitDir = git(['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    cwd: root,
  }).trim();
  const cacheFile = path.join(gitDir, INDEX_CARDS_CACHE);
  const cache = readCache(cacheFile);
  const misses = [...blobs].filter(([, sha]) => !cache.has(sha));
  if (misses.length > 0) {
    const cat = new CatFile({ cwd: root });
    try {
      const texts = await Promise.all(misses.map(([, sha]) => cat.read(sha)));
      misses.forEach(([p, sha], i) => {
        const text = texts[i]?.toString('utf8') ?? '';
        cache.set(sha, slim(parseCardFrontmatter(text, { path: p, absPath: inRoot(p) })));
      });
    } finally {
      cat.close();
    }
    const keep = new Set(blobs.values());
    writeCache(cacheFile, new Map([...cache].filter(([sha]) => keep.has(sha))));
  }
  const cards = [...blobs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, sha]) => toCard(inRoot(p), p, cache.get(sha)!));
  return { cards, docs, cacheHits: blobs.size - misses.length };
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

function toCard(absPath: string, p: string, s: SlimCard): Card {
  return {
    stem: cardStem(p),
    path: p,
    absPath,
    tags: [],
    status: s.status,
    // (plain cards share one SlimCard: each card gets its own list)
    requires: s.requires.length === 0 ? [] : s.requires,
    branch: s.branch,
    frontmatter: s.fm ? {} : null,
    bodyLine: 1,
    body: '',
    headings: [],
    links: [],
    blocks: [],
    places: s.places,
    diagnostics: [],
  };
}

function cacheKey(): string {
  return `${CACHE_VERSION}:${import.meta.url}`;
}

/** A card with frontmatter and no Mikado fields: most cards, stored as a bare blob id. */
const PLAIN: SlimCard = { status: null, requires: [], fm: true };

function isPlain(s: SlimCard): boolean {
  return s.fm && s.status === null && s.requires.length === 0 && !s.branch && !s.places;
}

/** The cache file: the plain cards' blob ids in one string, the others by blob id. */
interface CacheFile {
  version?: string;
  plain?: string;
  entries?: Record<string, SlimCard>;
}

function readCache(file: string): Map<string, SlimCard> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (data.version !== cacheKey() || !data.entries || typeof data.plain !== 'string') {
      return new Map();
    }
    const cache = new Map(Object.entries(data.entries));
    for (const sha of data.plain.split(' ')) if (sha !== '') cache.set(sha, PLAIN);
    return cache;
  } catch {
    return new Map();
  }
}

function writeCache(file: string, entries: Map<string, SlimCard>): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // loaded here, on a cache miss only: importing it costs the warm hook more than its work
    const writeFileAtomic = createRequire(import.meta.url)(
      'write-file-atomic',
    ) as typeof import('write-file-atomic');
    writeFileAtomic.sync(
      file,
      JSON.stringify({
        version: cacheKey(),
        plain: [...entries].flatMap(([sha, s]) => (isPlain(s) ? [sha] : [])).join(' '),
        entries: Object.fromEntries([...entries].filter(([, s]) => !isPlain(s))),
      } satisfies CacheFile),
    );
  } catch {
    // A cache that cannot be written only costs time.
  }
}
