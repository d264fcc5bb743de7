import type { Card, Diagnostic } from '../cards/types.ts';
import type { CardGraph } from '../graph/build-graph.ts';
import type { DocsIndex } from './docs-index.ts';
import { headingReader } from './read-headings.ts';
import { branchName } from './rules/branch-name.ts';
import { brokenHeading } from './rules/broken-heading.ts';
import { brokenLink } from './rules/broken-link.ts';
import { completeBeforePrerequisite } from './rules/complete-before-prerequisite.ts';
import { cycle } from './rules/cycle.ts';
import { duplicateStem } from './rules/duplicate-stem.ts';
import type { GraphRule, LinkRule } from './rules/rule-context.ts';
import { unknownRequires } from './rules/unknown-requires.ts';
import { unreachable } from './rules/unreachable.ts';

/** The rules about the card graph, one module each under `rules/`. */
export const graphRules: readonly GraphRule[] = [
  unknownRequires,
  cycle,
  duplicateStem,
  branchName,
  completeBeforePrerequisite,
  unreachable,
];

/** The rules about wikilinks, one module each under `rules/`. */
export const linkRules: readonly LinkRule[] = [brokenLink, brokenHeading];

/**
 * The graph rules: unknown `requires`, cycles, duplicate stems, `branch` on goals, complete
 * cards with open prerequisites, cards no chain reaches.
 * @param graph the card graph
 * @param cards all cards (duplicates included)
 * @returns the findings
 */
export function checkGraph(graph: CardGraph, cards: Card[]): Diagnostic[] {
  return graphRules.flatMap((rule) => rule({ graph, cards }));
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
  const headingsOf = headingReader(cards, root);
  return linkRules.flatMap((rule) => rule({ graph, cards, docs, headingsOf }));
}
