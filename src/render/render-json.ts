import type { CardGraph, ChainSummary } from '../graph/build-graph.ts';

/** The versioned JSON document of SPEC §4 (`--json`, `--format json`). */
export interface ChainJson {
  version: 1;
  cards: Record<
    string,
    {
      title: string | null;
      path: string;
      status: 'active' | null;
      branch: string | null;
      requires: string[];
      requiredBy: string[];
      links: string[];
      blocks: {
        name: string;
        line: number;
        verify: boolean;
        confirm: boolean;
        timeout: string | null;
      }[];
    }
  >;
  roots: string[];
  chains: Record<string, Pick<ChainSummary, 'activeDeps' | 'totalDeps' | 'readyLeaves' | 'order'>>;
  cycles: string[][];
  missing: [string, string][];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The JSON view, exactly SPEC §4's shape, version 1. Lists are sorted except `order` and cycle
 * paths; `links` are the distinct link targets of a card (its own heading links excluded).
 * With `root`, only that card's chain is included.
 * @param graph the card graph (cards parsed in full, for links and blocks)
 * @param root optional card to limit the document to
 * @returns the document object (serialise with JSON.stringify)
 */
export function chainJson(graph: CardGraph, root?: string): ChainJson {
  const members = root ? new Set(graph.chain(root).members) : undefined;
  const stems = [...graph.cards.keys()].filter((s) => !members || members.has(s)).sort(byString);
  const cards: ChainJson['cards'] = {};
  for (const s of stems) {
    const c = graph.cards.get(s)!;
    cards[s] = {
      title: c.title ?? null,
      path: c.path,
      status: c.status,
      branch: c.branch ?? null,
      requires: [...c.requires].sort(byString),
      requiredBy: graph.requiredBy(s),
      links: [...new Set(c.links.map((l) => l.target).filter((t) => t !== ''))].sort(byString),
      blocks: c.blocks.map((b) => ({
        name: b.name,
        line: b.line,
        verify: b.verify,
        confirm: b.confirm,
        timeout: typeof b.attrs['timeout'] === 'string' ? b.attrs['timeout'] : null,
      })),
    };
  }
  const roots = graph.roots.filter((r) => !members || members.has(r));
  const chainRoots = root ? [root] : roots;
  const chains: ChainJson['chains'] = {};
  for (const r of [...chainRoots].sort(byString)) {
    const { activeDeps, totalDeps, readyLeaves, order } = graph.chain(r);
    chains[r] = { activeDeps, totalDeps, readyLeaves, order };
  }
  return {
    version: 1,
    cards,
    roots,
    chains,
    cycles: graph.cycles.filter((c) => !members || c.some((s) => members.has(s))),
    missing: graph.missing.filter(([c]) => !members || members.has(c)),
  };
}

/**
 * {@link chainJson} as text.
 * @param graph the card graph
 * @param root optional card to limit the document to
 * @returns pretty-printed JSON with a trailing newline
 */
export function renderJson(graph: CardGraph, root?: string): string {
  return `${JSON.stringify(chainJson(graph, root), null, 2)}\n`;
}
