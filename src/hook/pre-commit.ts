import path from 'node:path';
import { cardMatcher } from '../branch/card-matcher.ts';
import type { Card, Diagnostic } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { CatFile, git } from '../git/git.ts';
import { loadIndexCards } from './index-cards.ts';

/** A staged card: its path and the text in the index. */
export interface StagedCard {
  path: string;
  text: string;
}

/** What {@link preCommit} needs. */
export interface PreCommitOptions {
  root: string;
  config: MikadoConfig;
}

/** What the pre-commit check found. */
export interface PreCommitResult {
  /** Findings about the staged cards, sorted. */
  diagnostics: Diagnostic[];
  /** How many staged cards were checked. */
  checked: number;
}

/**
 * The pre-commit hook: the `mikado check` rules, on the cards staged for this commit only, in
 * their staged content. Each staged card is parsed in full (frontmatter schema, dates, blocks,
 * TypeScript syntax of `ts run` blocks, its links and headings); the graph rules (unknown
 * `requires`, cycles, duplicate stems, `branch`) see every other card as the index holds it
 * (frontmatter only, cached by blob), and report only what concerns a staged card.
 * @param options repository root and config
 * @returns the findings about staged cards
 */
export async function preCommit(options: PreCommitOptions): Promise<PreCommitResult> {
  const { config } = options;
  const staged = await readStagedCards(options.root, config);
  if (staged.length === 0) return { diagnostics: [], checked: 0 };
  const { parseCard } = await import('../cards/parse-card.ts');
  const { checkSyntax } = await import('../check/check-syntax.ts');
  const { buildDocsIndex } = await import('../check/docs-index.ts');
  const { checkGraph, checkLinks, prepareHeadingReader, sortDiagnostics } = await import(
    '../check/check-cards.ts'
  );
  const { buildGraph } = await import('../graph/build-graph.ts');

  const stagedCards = staged.map((s) =>
    parseCard(s.text, { path: s.path, absPath: path.join(config.root, s.path) }),
  );
  for (const [card, diags] of await checkSyntax(stagedCards)) card.diagnostics.push(...diags);
  const stagedPaths = new Set(staged.map((s) => s.path));
  // The other cards as the commit will hold them: the index, through a cache keyed by blob.
  const { cards: others, docs: docsFiles } = await loadIndexCards(config, stagedPaths);
  const all: Card[] = [...others, ...stagedCards].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const graph = buildGraph(all);
  const stagedStems = new Set(stagedCards.map((c) => c.stem));
  const cyclePaths = new Set(
    graph.cycles
      .filter((cycle) => cycle.some((s) => stagedStems.has(s)))
      .map((cycle) => graph.cards.get(cycle[0]!)?.path),
  );
  const docs = buildDocsIndex(
    config.docsDir,
    config.root,
    all,
    { files: docsFiles, diagnostics: [] },
    config.extraDocs,
  );
  if (stagedCards.some((c) => c.links.some((l) => l.heading))) await prepareHeadingReader();
  const diagnostics = [
    ...stagedCards.flatMap((c) => c.diagnostics),
    ...checkGraph(graph, all).filter(
      (d) => stagedPaths.has(d.path) || (d.rule === 'cycle' && cyclePaths.has(d.path)),
    ),
    ...checkLinks(graph, stagedCards, docs.index, config.root),
  ];
  return { diagnostics: sortDiagnostics(diagnostics), checked: stagedCards.length };
}

/**
 * Reads the staged versions of added, copied, modified or renamed cards.
 * @param root repository root
 * @param config the config (cards root and exclusions)
 * @returns the staged cards
 */
export async function readStagedCards(root: string, config: MikadoConfig): Promise<StagedCard[]> {
  const matcher = cardMatcher(config);
  const pathspec = matcher.cardsRel === '' ? [] : [matcher.cardsRel];
  const names = git(
    ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--', ...pathspec],
    { cwd: root },
  )
    .split('\0')
    .filter((p) => p !== '' && matcher.isCard(p));
  if (names.length === 0) return [];
  const cat = new CatFile({ cwd: root });
  try {
    const texts = await Promise.all(names.map((p) => cat.readText(`:${p}`)));
    return names.map((p, i) => ({ path: p, text: texts[i] ?? '' }));
  } finally {
    cat.close();
  }
}
