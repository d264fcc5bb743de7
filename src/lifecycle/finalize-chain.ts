import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { loadCards } from '../cards/load-cards.ts';
import type { MikadoConfig } from '../config/types.ts';
import { MikadoError, UsageError } from '../errors.ts';
import { buildGraph } from '../graph/build-graph.ts';
import { editFrontmatter, type FrontmatterChange } from './edit-frontmatter.ts';

/** The frontmatter keys that belong to the Mikado method (and go when a chain is finalized). */
export const MIKADO_KEYS = ['status', 'requires', 'branch'] as const;

/** What {@link finalizeChain} did. */
export interface FinalizeResult {
  /** Cards whose frontmatter changed, relative to the repository root. */
  changed: string[];
  /** Chain cards that had no Mikado frontmatter left. */
  unchanged: string[];
}

/**
 * Finalizes a chain: strips `status`, `requires` and `branch` from the goal and every transitive
 * prerequisite (and sets `modified`), once no card of the chain is active. Every new text is
 * computed before the first write, so a card that cannot be edited stops the whole finalize.
 * @param config the resolved config
 * @param goal the chain's goal
 * @param date today, `YYYY-MM-DD`
 * @returns the cards changed and left alone
 */
export async function finalizeChain(
  config: MikadoConfig,
  goal: string,
  date: string,
): Promise<FinalizeResult> {
  const { cards } = await loadCards(config, { full: false });
  const graph = buildGraph(cards);
  if (!graph.cards.has(goal)) {
    throw new UsageError(`Unexpected goal \`${goal}\`: no such card under the cards root`, {
      fix: 'Name the chain by its goal card stem.',
    });
  }
  const members = graph.chain(goal).members;
  const active = members.filter((s) => graph.cards.get(s)?.status === 'active');
  if (active.length > 0) {
    throw new MikadoError(
      `Unexpected finalize of \`${goal}\` while ${active.length} chain card${active.length === 1 ? ' is' : 's are'} active: ${active.map((s) => `\`${s}\``).join(', ')}`,
      { code: 1, fix: 'Close every card of the chain first (`mikado close STEM`), the goal last.' },
    );
  }
  const writes: { absPath: string; text: string; path: string }[] = [];
  const unchanged: string[] = [];
  for (const stem of members) {
    const card = graph.cards.get(stem)!;
    const keys = MIKADO_KEYS.filter((k) => card.frontmatter && k in card.frontmatter);
    if (keys.length === 0) {
      unchanged.push(card.path);
      continue;
    }
    const changes: FrontmatterChange[] = keys.map((key) => ({ op: 'remove', key }));
    changes.push({ op: 'set', key: 'modified', value: date });
    const text = editFrontmatter(readFileSync(card.absPath, 'utf8'), changes, card.path);
    writes.push({ absPath: card.absPath, text, path: card.path });
  }
  for (const w of writes) writeFileAtomic.sync(w.absPath, w.text);
  return { changed: writes.map((w) => w.path), unchanged };
}
