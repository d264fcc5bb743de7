import path from 'node:path';
import { cardMatcher } from '../branch/card-matcher.ts';
import type { Card, Diagnostic } from '../cards/types.ts';
import type { FoundFile } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { git, gitBuffer } from '../git/git.ts';
import { listingFromHook, stagedFromHook } from './hook-staged.ts';
import { indexLayout, loadIndexCards } from './index-cards.ts';
import { readIndexView } from './index-snapshot.ts';
import { cardFromSlim, PLAIN } from './slim-card.ts';

/** What {@link preCommit} needs. */
export interface PreCommitOptions {
  root: string;
  config: MikadoConfig;
  /** Judge every card of the index, not only those around the staged ones (the reference). */
  every?: boolean;
}

/** What the pre-commit check found. */
export interface PreCommitResult {
  /** Findings about the staged cards, sorted. */
  diagnostics: Diagnostic[];
  /** How many staged cards were checked. */
  checked: number;
  /** Which cards the graph rules saw: those `around` the staged ones, or `every` card. */
  judged?: 'around' | 'every';
}

/**
 * The pre-commit hook: the `mikado check` rules, on the cards staged for this commit only, in
 * their staged content. Each staged card is parsed in full (frontmatter schema, dates, blocks,
 * TypeScript syntax of `ts run` blocks, its links and headings); the graph rules (unknown
 * `requires`, cycles, duplicate stems, `branch`) see the other cards as the index holds them
 * (frontmatter only), and report only what concerns a staged card.
 *
 * The graph judged is that of the cards around the staged ones ({@link stemsAroundStaged}),
 * found in the index through its last reading ({@link readIndexView}); when a finding needs every
 * stem (the "did you mean" of an unknown prerequisite or a broken link), or the index cannot be
 * read that way, every card of the index is read ({@link loadIndexCards}) and judged.
 * @param options repository root and config
 * @returns the findings about staged cards
 */
export async function preCommit(options: PreCommitOptions): Promise<PreCommitResult> {
  const { config } = options;
  const names = stagedCardPaths(options.root, config);
  if (names.length === 0) return { diagnostics: [], checked: 0 };
  const specs = indexLayout(config).specs;
  const listing =
    listingFromHook(specs) ??
    gitBuffer(['ls-files', '-s', '-z', '--', ...specs], { cwd: config.root });
  const view = options.every ? undefined : readIndexView(config, names, listing);
  let index = view ? undefined : loadIndexCards(config, names, listing.toString('utf8'));
  const staged = view?.staged ?? index!.staged;
  const { parseCardFast } = await import('../cards/parse-card-fast.ts');
  const { checkSyntax } = await import('../check/check-syntax.ts');
  const { stemsAroundStaged } = await import('./staged-graph.ts');

  const inRoot = (p: string) => path.join(config.root, p);
  const where = (p: string) => ({ path: p, absPath: inRoot(p) });
  // The scanner reads most cards; the Markdown parser loads only for a card it declines.
  const fast = staged.map((s) => parseCardFast(s.text, where(s.path)));
  const parseCard = fast.every((c) => c !== undefined)
    ? undefined
    : (await import('../cards/parse-card.ts')).parseCard;
  const stagedCards = fast.map((c, i) => c ?? parseCard!(staged[i]!.text, where(staged[i]!.path)));
  for (const [card, diags] of await checkSyntax(stagedCards)) card.diagnostics.push(...diags);
  const targets = stagedCards.flatMap((c) => c.links.map((l) => l.target));
  const candidate = linkCandidate(targets);

  if (view) {
    const byPath = new Map(stagedCards.map((c) => [c.path, c]));
    const cardAt = (p: string): Card =>
      byPath.get(p) ?? cardFromSlim(inRoot(p), p, view.fielded.get(p)?.slim ?? PLAIN);
    const withRequires = [...view.fielded.keys()].map(cardAt);
    const stems = stemsAroundStaged(
      [...withRequires, ...stagedCards],
      new Set(stagedCards.map((c) => c.stem)),
    );
    const around = view.cardsWithStems(stems).map(cardAt);
    // Only the files a staged card's link can name: indexing all 20,000 entries would cost more.
    const links = view.linkCandidates(linkNames(targets), candidate);
    const found = await judgeStaged(config, stagedCards, around, {
      cards: links.cards.map(cardAt),
      docs: links.docs,
    });
    const complete =
      stagedCards.every((c) => around.includes(c)) &&
      withRequires.every((c) => !stems.has(c.stem) || around.some((a) => a.path === c.path));
    if (complete && !found.some((d) => NEEDS_EVERY_STEM.has(d.rule))) {
      return { diagnostics: found, checked: stagedCards.length, judged: 'around' };
    }
    index = loadIndexCards(config, names, listing.toString('utf8'));
  }
  const all: Card[] = [...index!.cards, ...stagedCards].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const found = await judgeStaged(config, stagedCards, all, {
    cards: all.filter((c) => candidate(c.path)),
    docs: index!.docs.filter(candidate).map(index!.docsFile),
  });
  return { diagnostics: found, checked: stagedCards.length, judged: 'every' };
}

/** Rules whose findings suggest the nearest of every stem: the cards around are not enough. */
const NEEDS_EVERY_STEM = new Set(['unknown-requires', 'broken-link']);

/**
 * The graph and link rules on the staged cards, with `cards` as the other cards.
 * @param config the configuration
 * @param stagedCards the staged cards, parsed in full (their own findings included)
 * @param cards the cards to build the graph of, the staged ones included, sorted by path
 * @param links the cards and the docs files a staged card's link can resolve to
 * @returns the findings about the staged cards, sorted
 */
async function judgeStaged(
  config: MikadoConfig,
  stagedCards: Card[],
  cards: Card[],
  links: { cards: Card[]; docs: FoundFile[] },
): Promise<Diagnostic[]> {
  const { buildDocsIndex } = await import('../check/docs-index.ts');
  const { checkLinks } = await import('../check/check-rules.ts');
  const { prepareHeadingReader } = await import('../check/read-headings.ts');
  const { sortDiagnostics } = await import('../check/sort-diagnostics.ts');
  const { stagedGraphFindings } = await import('./staged-graph.ts');
  const { graph, diagnostics: graphFindings } = stagedGraphFindings(cards, stagedCards);
  const docs = buildDocsIndex(
    config.docsDir,
    config.root,
    links.cards,
    { files: links.docs, diagnostics: [] },
    config.extraDocs,
  );
  if (stagedCards.some((c) => c.links.some((l) => l.heading))) await prepareHeadingReader();
  return sortDiagnostics([
    ...stagedCards.flatMap((c) => c.diagnostics),
    ...graphFindings,
    ...checkLinks(graph, stagedCards, docs.index, config.root),
  ]);
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
export function linkCandidate(targets: string[]): (path: string) => boolean {
  if (targets.length === 0) return () => false;
  const wanted = linkNames(targets);
  return (p) => wanted.has(nameKey(p.toLowerCase()));
}

/**
 * The file names that links to `targets` end in.
 * @param targets link targets as written
 * @returns the names, in lower case, without `.md` or `.markdown`
 */
export function linkNames(targets: string[]): Set<string> {
  return new Set(targets.map((t) => nameKey(t.trim().toLowerCase())));
}

function nameKey(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1).replace(/\.(md|markdown)$/, '');
}

/**
 * The paths of the added, copied, modified or renamed cards staged for the commit: from the
 * installed hook's gate when it listed them for this process ({@link stagedFromHook}), else from
 * `git diff --cached`.
 * @param root repository root
 * @param config the config (cards root and exclusions)
 * @returns the staged cards' paths
 */
export function stagedCardPaths(root: string, config: MikadoConfig): string[] {
  const matcher = cardMatcher(config);
  const listed = stagedFromHook();
  if (listed) return listed.filter((p) => matcher.isCard(p));
  const pathspec = matcher.cardsRel === '' ? [] : [matcher.cardsRel];
  return git(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--', ...pathspec], {
    cwd: root,
  })
    .split('\0')
    .filter((p) => p !== '' && matcher.isCard(p));
}
