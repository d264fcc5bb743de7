import path from 'node:path';
import type { Diagnostic } from '../cards/types.ts';
import { walkFiles } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { buildGraph } from '../graph/build-graph.ts';
import { checkGraph, checkLinks } from './check-rules.ts';
import { buildDocsIndex } from './docs-index.ts';
import { loadCheckedCards, walkCards } from './load-checked-cards.ts';
import { prepareHeadingReader } from './read-headings.ts';
import { RESULT_CACHE_FILE, readResult, resultKey, writeResult } from './result-cache.ts';
import { sortDiagnostics } from './sort-diagnostics.ts';

/** What `mikado check` found. */
export interface CheckResult {
  /** Every finding, sorted by path, line and column. */
  diagnostics: Diagnostic[];
  /** How many cards were checked. */
  cardCount: number;
  /** `result` when nothing changed since the last check and its findings were reused. */
  cache: 'result' | 'cards' | 'off';
}

/**
 * Lints every card: frontmatter schema and dates, unknown `requires`, cycles, duplicate stems,
 * wikilinks to missing files and headings, `branch` naming, block attributes, TypeScript syntax
 * of `ts run` blocks, and cards no chain reaches.
 *
 * With the cache on, the findings are reused when no card, no doc and no setting changed since
 * the last check (a fingerprint of every file's stamp); otherwise only changed cards are parsed
 * again (see {@link loadCheckedCards}).
 * @param config the resolved configuration
 * @param opts `cache: false` to parse every card again and touch no cache
 * @returns the findings
 */
export async function checkCards(
  config: MikadoConfig,
  opts: { cache?: boolean } = {},
): Promise<CheckResult> {
  const useCache = opts.cache !== false;
  const docsWalk = walkFiles(config.docsDir, { root: config.root, markdownOnly: false });
  const walked = walkCards(config, docsWalk);
  const key = resultKey(config, walked, docsWalk.files);
  const resultFile = path.join(config.root, RESULT_CACHE_FILE);
  if (useCache) {
    const memo = readResult(resultFile);
    if (memo?.key === key) {
      return { diagnostics: memo.diagnostics, cardCount: memo.cardCount, cache: 'result' };
    }
  }
  const loaded = await loadCheckedCards(config, { cache: opts.cache, walked });
  const graph = buildGraph(loaded.cards);
  const docs = buildDocsIndex(
    config.docsDir,
    config.root,
    loaded.cards,
    docsWalk,
    config.extraDocs,
  );
  const cardPaths = new Set(loaded.cards.map((c) => c.path));
  const linksOtherDocs = loaded.cards.some((c) =>
    c.links.some(
      (l) => l.heading && l.target && !cardPaths.has(docs.index.resolve(l.target) ?? ''),
    ),
  );
  if (linksOtherDocs) await prepareHeadingReader();
  const diagnostics = sortDiagnostics([
    ...loaded.diagnostics,
    ...docs.diagnostics,
    ...loaded.cards.flatMap((c) => c.diagnostics),
    ...checkGraph(graph, loaded.cards),
    ...checkLinks(graph, loaded.cards, docs.index, config.root),
  ]);
  if (useCache) writeResult(resultFile, { key, cardCount: loaded.cards.length, diagnostics });
  return { diagnostics, cardCount: loaded.cards.length, cache: useCache ? 'cards' : 'off' };
}
