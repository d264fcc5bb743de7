import path from 'node:path';
import { cardMatcher } from '../branch/card-matcher.ts';
import type { Card, Diagnostic } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { git } from '../git/git.ts';
import { loadIndexCards } from './index-cards.ts';

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
  const names = stagedCardPaths(options.root, config);
  if (names.length === 0) return { diagnostics: [], checked: 0 };
  // The staged cards' text, and the other cards as the commit will hold them: the index,
  // through a cache keyed by blob.
  const index = loadIndexCards(config, names);
  const { parseCardFast } = await import('../cards/parse-card-fast.ts');
  const { checkSyntax } = await import('../check/check-syntax.ts');
  const { buildDocsIndex } = await import('../check/docs-index.ts');
  const { checkLinks } = await import('../check/check-rules.ts');
  const { prepareHeadingReader } = await import('../check/read-headings.ts');
  const { sortDiagnostics } = await import('../check/sort-diagnostics.ts');
  const { stagedGraphFindings } = await import('./staged-graph.ts');

  const where = (p: string) => ({ path: p, absPath: path.join(config.root, p) });
  // The scanner reads most cards; the Markdown parser loads only for a card it declines.
  const fast = index.staged.map((s) => parseCardFast(s.text, where(s.path)));
  const parseCard = fast.every((c) => c !== undefined)
    ? undefined
    : (await import('../cards/parse-card.ts')).parseCard;
  const stagedCards = fast.map(
    (c, i) => c ?? parseCard!(index.staged[i]!.text, where(index.staged[i]!.path)),
  );
  for (const [card, diags] of await checkSyntax(stagedCards)) card.diagnostics.push(...diags);
  const all: Card[] = [...index.cards, ...stagedCards].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const { graph, diagnostics: graphFindings } = stagedGraphFindings(all, stagedCards);
  // Only the files a staged card's link can name: indexing all 20,000 entries would cost more.
  const targets = stagedCards.flatMap((c) => c.links.map((l) => l.target));
  const candidate = linkCandidate(targets);
  const docs = buildDocsIndex(
    config.docsDir,
    config.root,
    all.filter((c) => candidate(c.path)),
    { files: index.docs.filter(candidate).map(index.docsFile), diagnostics: [] },
    config.extraDocs,
  );
  if (stagedCards.some((c) => c.links.some((l) => l.heading))) await prepareHeadingReader();
  const diagnostics = [
    ...stagedCards.flatMap((c) => c.diagnostics),
    ...graphFindings,
    ...checkLinks(graph, stagedCards, docs.index, config.root),
  ];
  return { diagnostics: sortDiagnostics(diagnostics), checked: stagedCards.length };
}

/**
 * The files among `entries` that a link to one of `targets` can resolve to, in their order: those
 * whose file name (without `.md` or `.markdown`, case aside) is the target's last part. Every way
 * the docs index resolves a target (by stem, by name, by path or path suffix) ends in that name,
 * so an index of these resolves the targets as an index of all entries does.
 * @param entries cards or files, by repository path
 * @param targets link targets as written
 * @returns the entries that can match
 */
export function linkCandidates<T extends { path: string }>(entries: T[], targets: string[]): T[] {
  const candidate = linkCandidate(targets);
  return entries.filter((e) => candidate(e.path));
}

/**
 * The test behind {@link linkCandidates}, for one repository path.
 * @param targets link targets as written
 * @returns whether a link to one of them can resolve to a path
 */
function linkCandidate(targets: string[]): (path: string) => boolean {
  if (targets.length === 0) return () => false;
  const wanted = new Set(targets.map((t) => nameKey(t.trim().toLowerCase())));
  return (p) => wanted.has(nameKey(p.toLowerCase()));
}

function nameKey(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1).replace(/\.(md|markdown)$/, '');
}

/**
 * The paths of the added, copied, modified or renamed cards staged for the commit.
 * @param root repository root
 * @param config the config (cards root and exclusions)
 * @returns the staged cards' paths
 */
export function stagedCardPaths(root: string, config: MikadoConfig): string[] {
  const matcher = cardMatcher(config);
  const pathspec = matcher.cardsRel === '' ? [] : [matcher.cardsRel];
  return git(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--', ...pathspec], {
    cwd: root,
  })
    .split('\0')
    .filter((p) => p !== '' && matcher.isCard(p));
}
