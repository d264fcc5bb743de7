import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Diagnostic } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { CACHE_VERSION, fileStamp, type WalkedCards } from './load-checked-cards.ts';

/** Where the findings of the last check are kept, with the fingerprint of what they were about. */
export const RESULT_CACHE_FILE = '.mikado/cache/check-result.json';

/** The findings of one check, with the fingerprint of what they were about. */
export interface ResultMemo {
  key: string;
  cardCount: number;
  diagnostics: Diagnostic[];
}

/**
 * A fingerprint of everything a check depends on: settings, card stamps, docs listing.
 * @param config the resolved configuration
 * @param walked the card files found, with their stamps
 * @param docs every file under the docs root
 * @returns a hex digest
 */
export function resultKey(config: MikadoConfig, walked: WalkedCards, docs: FoundFile[]): string {
  const hash = createHash('sha1');
  // The bundle's chunk names carry a content hash: a new mikado build never reuses old findings.
  hash.update(
    `${CACHE_VERSION}\0${import.meta.url}\0${config.root}\0${config.cardsDir}\0${config.docsDir}\0`,
  );
  hash.update(JSON.stringify(config.exclude));
  const extraDocs = config.extraDocs ?? [];
  hash.update(JSON.stringify(extraDocs));
  for (const extra of extraDocs) hash.update(`\0${fileStamp(path.join(config.root, extra))}`);
  for (const f of walked.files) hash.update(`\0${f.path}\0${walked.stamps.get(f.path)}`);
  for (const d of walked.diagnostics) hash.update(`\0!${d.path}:${d.rule}`);
  hash.update('\0docs');
  for (const f of docs) {
    const stamp =
      walked.stamps.has(f.path) || !/\.(md|markdown)$/i.test(f.path) ? '' : fileStamp(f.absPath);
    hash.update(`\0${f.path}\0${stamp}`);
  }
  return hash.digest('hex');
}

/**
 * Reads the last check's findings.
 * @param file the cache file
 * @returns the memo, or undefined when absent, unreadable or of another version
 */
export function readResult(file: string): ResultMemo | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as ResultMemo & { version?: string };
    return data.version === CACHE_VERSION ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps a check's findings for the next check; a read-only checkout just runs without a cache.
 * @param file the cache file
 * @param memo the findings and their fingerprint
 */
export function writeResult(file: string, memo: ResultMemo): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // A cache: a crash may lose it, so no fsync.
    writeFileAtomic.sync(file, JSON.stringify({ version: CACHE_VERSION, ...memo }), {
      fsync: false,
    });
  } catch {
    // A read-only checkout just runs without a cache.
  }
}
