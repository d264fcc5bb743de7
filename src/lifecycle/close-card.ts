import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { loadCards } from '../cards/load-cards.ts';
import type { MikadoConfig } from '../config/types.ts';
import { MikadoError, UsageError } from '../errors.ts';
import { buildGraph } from '../graph/build-graph.ts';
import { editFrontmatter } from './edit-frontmatter.ts';

/** What {@link closeCard} did. */
export interface CloseCardResult {
  /** The card, relative to the repository root. */
  path: string;
  /** The card was complete already; nothing was written. */
  alreadyComplete: boolean;
}

/**
 * Completes a card: removes `status: active` and sets `modified` to `date`, leaving every other
 * byte alone. Refuses while the card has active or missing prerequisites.
 * @param config the resolved config
 * @param stem the card to close
 * @param date today, `YYYY-MM-DD`
 * @returns the card's path and whether it was complete already
 */
export async function closeCard(
  config: MikadoConfig,
  stem: string,
  date: string,
): Promise<CloseCardResult> {
  const { cards } = await loadCards(config, { full: false });
  const graph = buildGraph(cards);
  const card = graph.cards.get(stem);
  if (!card) {
    throw new UsageError(`Unexpected card \`${stem}\`: no such card under the cards root`, {
      fix: 'Name a card by its file stem (`mikado view` lists the chains).',
    });
  }
  if (card.status !== 'active') return { path: card.path, alreadyComplete: true };
  const open = card.requires.filter((r) => graph.cards.get(r)?.status === 'active');
  const missing = card.requires.filter((r) => !graph.cards.has(r));
  if (open.length > 0 || missing.length > 0) {
    const parts = [
      open.length > 0
        ? `active prerequisite${open.length === 1 ? '' : 's'} ${open.map((s) => `\`${s}\``).join(', ')}`
        : '',
      missing.length > 0
        ? `missing prerequisite${missing.length === 1 ? '' : 's'} ${missing.map((s) => `\`${s}\``).join(', ')}`
        : '',
    ].filter(Boolean);
    throw new MikadoError(`Unexpected close of \`${stem}\` while it has ${parts.join(' and ')}`, {
      code: 1,
      fix: `Close the prerequisites first (\`mikado view ${stem}\` shows the ready leaves).`,
    });
  }
  const text = readFileSync(card.absPath, 'utf8');
  const edited = editFrontmatter(
    text,
    [
      { op: 'remove', key: 'status' },
      { op: 'set', key: 'modified', value: date },
    ],
    card.path,
  );
  writeFileAtomic.sync(card.absPath, edited);
  return { path: card.path, alreadyComplete: false };
}
