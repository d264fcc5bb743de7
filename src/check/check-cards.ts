import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Card, Diagnostic, Place } from '../cards/types.ts';
import { type FoundFile, walkFiles } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { buildGraph, type CardGraph } from '../graph/build-graph.ts';
import { buildDocsIndex, type DocsIndex } from './docs-index.ts';
import { headingKey } from './heading-key.ts';
import {
  CACHE_VERSION,
  fileStamp,
  loadCheckedCards,
  type WalkedCards,
  walkCards,
} from './load-checked-cards.ts';

/** What `mikado check` found. */
export interface CheckResult {
  /** Every finding, sorted by path, line and column. */
  diagnostics: Diagnostic[];
  /** How many cards were checked. */
  cardCount: number;
  /** `result` when nothing changed since the last check and its findings were reused. */
  cache: 'result' | 'cards' | 'off';
}

/** Where the findings of the last check are kept, with the fingerprint of what they were about. */
export const RESULT_CACHE_FILE = '.mikado/cache/check-result.json';

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

interface ResultMemo {
  key: string;
  cardCount: number;
  diagnostics: Diagnostic[];
}

/** A fingerprint of everything a check depends on: settings, card stamps, docs listing. */
function resultKey(config: MikadoConfig, walked: WalkedCards, docs: FoundFile[]): string {
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

function readResult(file: string): ResultMemo | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as ResultMemo & { version?: string };
    return data.version === CACHE_VERSION ? data : undefined;
  } catch {
    return undefined;
  }
}

function writeResult(file: string, memo: ResultMemo): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, JSON.stringify({ version: CACHE_VERSION, ...memo }));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/**
 * Sorts diagnostics by path, line, column and rule, and drops exact repeats.
 * @param diagnostics findings
 * @returns a new sorted list
 */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return [...diagnostics]
    .sort(
      (a, b) =>
        (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
        a.line - b.line ||
        a.column - b.column ||
        (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    )
    .filter((d) => {
      const key = `${d.path}:${d.line}:${d.column}:${d.rule}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function requiresPlace(card: Card, stem: string): Place {
  const i = card.requires.indexOf(stem);
  return card.places?.[`requires.${i}`] ?? card.places?.['requires'] ?? { line: 1, column: 1 };
}

/**
 * The graph rules: unknown `requires`, cycles, duplicate stems, `branch` on goals, complete
 * cards with open prerequisites, cards no chain reaches.
 * @param graph the card graph
 * @param cards all cards (duplicates included)
 * @returns the findings
 */
export function checkGraph(graph: CardGraph, cards: Card[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stems = [...graph.cards.keys()];
  for (const [stem, missing] of graph.missing) {
    const card = graph.cards.get(stem)!;
    const near = nearest(missing, stems);
    out.push({
      path: card.path,
      ...requiresPlace(card, missing),
      severity: 'error',
      rule: 'unknown-requires',
      message: `Unexpected prerequisite \`${missing}\` in \`requires\`, expected the stem of an existing card`,
      fix: near
        ? `Did you mean \`${near}\`?`
        : `Create the card (\`mikado new ${missing} --for ${stem}\`) or remove it from \`requires\`.`,
    });
  }
  for (const cycle of graph.cycles) {
    const [first, second] = cycle;
    const card = graph.cards.get(first!)!;
    out.push({
      path: card.path,
      ...requiresPlace(card, second!),
      severity: 'error',
      rule: 'cycle',
      message: `Unexpected cycle \`${cycle.join(' → ')}\`, expected prerequisites that never lead back`,
      fix: 'Remove one `requires` entry on the cycle; a card cannot depend on itself.',
    });
  }
  const roots = new Set(graph.roots);
  const byStem = new Map<string, Card[]>();
  if (graph.duplicates.length) {
    for (const c of cards) byStem.set(c.stem, [...(byStem.get(c.stem) ?? []), c]);
  }
  const mikadoish = (c: Card): boolean =>
    c.status === 'active' ||
    c.requires.length > 0 ||
    c.branch !== undefined ||
    graph.requiredBy(c.stem).length > 0;
  for (const dup of graph.duplicates) {
    const group = byStem.get(dup.stem) ?? [];
    const severity = group.some(mikadoish) ? 'error' : 'warning';
    for (const p of dup.paths.slice(1)) {
      out.push({
        path: p,
        line: 1,
        column: 1,
        severity,
        rule: 'duplicate-stem',
        message: `Unexpected second card with stem \`${dup.stem}\` (also \`${dup.paths[0]}\`), expected unique stems`,
        fix: 'Rename one of the files: a card is known by its file name.',
      });
    }
  }
  const reached = new Set<string>();
  for (const root of graph.roots) for (const m of graph.chain(root).members) reached.add(m);
  for (const card of graph.cards.values()) {
    const isGoal = roots.has(card.stem);
    if (card.branch !== undefined) {
      const place = card.places?.['branch.value'] ??
        card.places?.['branch'] ?? { line: 1, column: 1 };
      if (card.branch !== `mikado/${card.stem}`) {
        out.push({
          path: card.path,
          ...place,
          severity: 'error',
          rule: 'branch-name',
          message: `Unexpected branch \`${card.branch}\`, expected \`mikado/${card.stem}\``,
          fix: `Write \`branch: mikado/${card.stem}\`; the branch is named after the goal.`,
        });
      }
      if (!isGoal) {
        const by = graph
          .requiredBy(card.stem)
          .filter((s) => graph.cards.get(s)?.status === 'active');
        out.push({
          path: card.path,
          ...place,
          severity: card.status === 'active' ? 'error' : 'warning',
          rule: 'branch-name',
          message:
            card.status === 'active'
              ? `Unexpected \`branch\` on \`${card.stem}\`, which is a prerequisite of ${by.map((s) => `\`${s}\``).join(', ')}, expected \`branch\` on goal cards only`
              : `Unexpected \`branch\` on complete card \`${card.stem}\`, expected it removed when the chain is finalized`,
          fix:
            card.status === 'active'
              ? "Remove the `branch:` line; work on a prerequisite happens on its goal's branch."
              : `Run \`mikado finalize ${card.stem}\`, or remove the \`branch:\` line.`,
        });
      }
    }
    if (card.status !== 'active') {
      const open = card.requires.filter((r) => graph.cards.get(r)?.status === 'active');
      if (open.length) {
        out.push({
          path: card.path,
          line: 1,
          column: 1,
          severity: 'warning',
          rule: 'complete-before-prerequisite',
          message: `Unexpected complete card with active prerequisite${open.length > 1 ? 's' : ''} ${open.map((s) => `\`${s}\``).join(', ')}, expected prerequisites completed first`,
          fix: 'Mark the card `status: active` again, or complete its prerequisites.',
        });
      }
    }
    if (reached.has(card.stem)) continue;
    const onCycle = card.status === 'active';
    if (onCycle || (card.requires.length > 0 && graph.requiredBy(card.stem).length === 0)) {
      out.push({
        path: card.path,
        line: 1,
        column: 1,
        severity: 'warning',
        rule: 'unreachable',
        message: onCycle
          ? 'Unexpected active card that no goal reaches (it sits on a cycle), expected it in a chain'
          : 'Unexpected complete goal that still has `requires`, expected a finalized chain',
        fix: onCycle
          ? 'Break the cycle so the chain has a goal.'
          : `Run \`mikado finalize ${card.stem}\` to remove the chain's Mikado frontmatter.`,
      });
    }
  }
  return out;
}

/**
 * The link rules: every wikilink must name a file under the docs root, and a `#Heading` part a
 * real heading of the target (case-insensitive, punctuation-tolerant).
 * @param graph the card graph
 * @param cards all cards
 * @param docs the docs index
 * @param root repository root (to read headings of docs that are not cards)
 * @returns the findings
 */
export function checkLinks(
  graph: CardGraph,
  cards: Card[],
  docs: DocsIndex,
  root: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byPath = new Map(cards.map((c) => [c.path, c] as const));
  const headingCache = new Map<string, Set<string> | null>();
  const headingsOf = (target: string): Set<string> | null => {
    const cached = headingCache.get(target);
    if (cached !== undefined) return cached;
    let headings: string[] | null = byPath.get(target)?.headings ?? null;
    if (headings === null && /\.(md|markdown)$/i.test(target))
      headings = readHeadings(path.join(root, target), target);
    const set = headings ? new Set(headings.map(headingKey)) : null;
    headingCache.set(target, set);
    return set;
  };
  for (const card of cards) {
    for (const link of card.links) {
      const shown = `[[${link.target}${link.heading !== undefined ? `#${link.heading}` : ''}]]`;
      const target = link.target === '' ? card.path : docs.resolve(link.target);
      if (target === undefined) {
        const near = nearest(link.target, [...graph.cards.keys()]);
        out.push({
          path: card.path,
          line: link.line,
          column: link.column,
          severity: 'error',
          rule: 'broken-link',
          message: `Unexpected link to unknown card \`${shown}\`, expected an existing card stem or doc`,
          fix: near ? `Did you mean \`[[${near}]]\`?` : 'Create the card or fix the link.',
        });
        continue;
      }
      if (link.heading === undefined || link.heading.startsWith('^')) continue;
      const headings = headingsOf(target);
      if (headings === null) continue;
      const wanted = link.heading.split('#').filter(Boolean);
      const bad = wanted.find((h) => !headings.has(headingKey(h)));
      if (bad !== undefined) {
        out.push({
          path: card.path,
          line: link.line,
          column: link.column,
          severity: 'error',
          rule: 'broken-heading',
          message: `Unexpected link to missing heading \`#${bad}\` in \`${target}\`, expected one of its headings`,
          fix: 'Link to an existing heading (compare case-insensitively, punctuation aside), or add it.',
        });
      }
    }
  }
  return out;
}

let parseForHeadings: typeof import('../cards/parse-card.ts').parseCard | undefined;

function readHeadings(absPath: string, relPath: string): string[] | null {
  try {
    const text = readFileSync(absPath, 'utf8');
    if (!parseForHeadings) return null;
    return parseForHeadings(text, { path: relPath, absPath }).headings;
  } catch {
    return null;
  }
}

/**
 * Loads the Markdown parser used to read headings of docs that are not cards.
 * @returns nothing; call before {@link checkLinks} when docs outside the cards root are linked
 */
export async function prepareHeadingReader(): Promise<void> {
  parseForHeadings ??= (await import('../cards/parse-card.ts')).parseCard;
}

/**
 * The most similar stem, for "did you mean" hints.
 * @param wanted what was written
 * @param stems known stems
 * @returns a stem within a small edit distance, if any
 */
export function nearest(wanted: string, stems: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 4)) + 1;
  for (const s of stems) {
    if (Math.abs(s.length - wanted.length) >= bestDistance) continue;
    const d = distance(wanted.toLowerCase(), s.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= cap) return cap;
    prev = cur;
  }
  return prev[b.length]!;
}
