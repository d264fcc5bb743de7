import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { excludeMatcher } from '../cards/glob-matcher.ts';
import { readCardFile } from '../cards/read-card-file.ts';
import type { Card, Diagnostic, Place } from '../cards/types.ts';
import { type FoundFile, walkFiles } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { checkSyntax } from './check-syntax.ts';

/** Bump when the parser or the card shape changes, so old caches are ignored. */
export const CACHE_VERSION = 'mikado-cards-1';

interface CacheEntry {
  /** `mtimeMs:ctimeMs:size:ino` of the file when it was parsed. */
  stamp: string;
  card: Omit<Card, 'absPath'>;
}

/** Where the parse cache lives, under the repository root. */
export const CACHE_FILE = '.mikado/cache/cards.json';

/**
 * Loads every card fully parsed, with the TypeScript syntax of its `ts run` blocks checked
 * (rule `ts-syntax` in `card.diagnostics`). With `cache`, parsed cards are kept in
 * `.mikado/cache/cards.json`, keyed by path, modification time, size and inode, so a second run
 * only parses what changed. Cards from the cache have an empty `body` and empty block `code`.
 * @param config the resolved configuration
 * @param opts `cache: false` neither reads nor writes the cache
 * @returns the cards sorted by path, the findings about unreadable files, and the cache hits
 */
export async function loadCheckedCards(
  config: MikadoConfig,
  opts: { cache?: boolean; walked?: WalkedCards } = {},
): Promise<{ cards: Card[]; diagnostics: Diagnostic[]; cacheHits: number }> {
  const useCache = opts.cache !== false;
  const cacheFile = path.join(config.root, CACHE_FILE);
  const walked = opts.walked ?? walkCards(config);
  const { files, stamps } = walked;
  const diagnostics = [...walked.diagnostics];
  const old = useCache ? readCache(cacheFile) : new Map<string, CacheEntry>();
  const fresh = new Map<string, CacheEntry>();
  const cards: Card[] = [];
  const parsed: Card[] = [];
  let hits = 0;
  let parseCard: typeof import('../cards/parse-card.ts').parseCard | undefined;
  for (const file of files) {
    const stamp = stamps.get(file.path) ?? '';
    const hit = old.get(file.path);
    if (hit && stamp && hit.stamp === stamp) {
      const card = { ...hit.card, absPath: file.absPath } as Card;
      cards.push(card);
      fresh.set(file.path, hit);
      hits++;
      continue;
    }
    const read = readCardFile(file.absPath, file.path);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    parseCard ??= (await import('../cards/parse-card.ts')).parseCard;
    const card = parseCard(read.text, { path: file.path, absPath: file.absPath });
    cards.push(card);
    parsed.push(card);
    if (stamp) fresh.set(file.path, { stamp, card: slimCard(card) });
  }
  const syntax = await checkSyntax(parsed);
  for (const [card, diags] of syntax) card.diagnostics.push(...diags);
  if (useCache && (parsed.length > 0 || fresh.size !== old.size)) writeCache(cacheFile, fresh);
  return { cards, diagnostics, cacheHits: hits };
}

/** The card files under the cards root with their stamps, and the findings of the walk. */
export interface WalkedCards {
  files: FoundFile[];
  /** `mtimeMs:ctimeMs:size:ino` by path ('' when the file cannot be stat'ed). */
  stamps: Map<string, string>;
  diagnostics: Diagnostic[];
}

/**
 * Lists the card files (cards root minus excludes) and stamps each one. When the cards root lies
 * inside the docs root and the docs root was already listed, the cards are taken from that list
 * instead of walking the tree twice.
 * @param config the resolved configuration
 * @param docs the files under the docs root, if already listed
 * @returns files, stamps and walk findings
 */
export function walkCards(
  config: MikadoConfig,
  docs?: { files: FoundFile[]; diagnostics: Diagnostic[] },
): WalkedCards {
  const inside =
    config.cardsDir === config.docsDir || config.cardsDir.startsWith(`${config.docsDir}/`);
  let walked: { files: FoundFile[]; diagnostics: Diagnostic[] };
  if (docs && inside && existsSync(config.cardsDir)) {
    const prefix = `${config.cardsDir}/`;
    const excluded = excludeMatcher(config.exclude);
    const files: FoundFile[] = [];
    for (const f of docs.files) {
      if (!f.absPath.startsWith(prefix) || !MARKDOWN.test(f.absPath)) continue;
      const relToDir = f.absPath.slice(prefix.length);
      if (!excluded(relToDir)) files.push({ ...f, relToDir });
    }
    const cardsRel = rel(config.root, config.cardsDir);
    walked = {
      files,
      diagnostics: docs.diagnostics.filter(
        (d) => cardsRel === '.' || d.path === cardsRel || d.path.startsWith(`${cardsRel}/`),
      ),
    };
  } else {
    walked = walkFiles(config.cardsDir, { root: config.root, exclude: config.exclude });
  }
  return {
    ...walked,
    stamps: new Map(walked.files.map((f) => [f.path, fileStamp(f.absPath)])),
  };
}

const MARKDOWN = /\.(md|markdown)$/i;

function rel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/') || '.';
}

/**
 * A cheap fingerprint of a file's state: modification and change times, size, inode.
 * @param absPath the file
 * @returns the stamp, or '' when the file cannot be stat'ed
 */
export function fileStamp(absPath: string): string {
  try {
    const st = statSync(absPath);
    return `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}`;
  } catch {
    return '';
  }
}

function readCache(file: string): Map<string, CacheEntry> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as {
      version?: string;
      entries?: Record<string, CacheEntry>;
    };
    if (data.version !== `${CACHE_VERSION}:${import.meta.url}` || !data.entries) return new Map();
    return new Map(Object.entries(data.entries));
  } catch {
    return new Map();
  }
}

function writeCache(file: string, entries: Map<string, CacheEntry>): void {
  const slim: Record<string, CacheEntry> = {};
  // Entries are slim already: cached ones were, fresh ones were slimmed when parsed.
  for (const [p, e] of entries) slim[p] = e;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // A cache: a crash may lose it, so no fsync.
    writeFileAtomic.sync(
      file,
      JSON.stringify({ version: `${CACHE_VERSION}:${import.meta.url}`, entries: slim }),
      { fsync: false },
    );
  } catch {
    // A read-only checkout just runs without a cache.
  }
}

/** What check and the JSON view need of a card: no body, no block code, few places. */
function slimCard(card: Card): CacheEntry['card'] {
  const places: Record<string, Place> = {};
  for (const [k, v] of Object.entries(card.places ?? {})) {
    if (k.startsWith('requires') || k.startsWith('branch')) places[k] = v;
  }
  const { absPath: _a, body: _b, frontmatter, ...rest } = card;
  return {
    ...rest,
    frontmatter: frontmatter === null ? null : {},
    body: '',
    places,
    blocks: rest.blocks.map((b) => ({ ...b, code: '' })),
  };
}
