import path from 'node:path';
import type { Card } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { RunError, UsageError } from '../errors.ts';
import type { CardGraph } from '../graph/build-graph.ts';
import { type ResolvedProfile, resolveProfile } from './resolve-profile.ts';

/** What a run is about: the profile, the cards, the target and its chain. */
export interface ResolvedRun {
  profile: ResolvedProfile;
  cards: Card[];
  graph: CardGraph;
  /** The target card's stem. */
  target: string;
  /** The chain's stems, prerequisites first (just the target for `--only`). */
  order: string[];
  /** The chain's cards, in `order`. */
  chain: Card[];
}

/** What {@link resolveRun} needs. */
export interface ResolveRunOptions {
  config: MikadoConfig;
  target?: string;
  only?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  profile?: string;
}

/**
 * Resolves what a run is about: the profile, the cards and the target with its chain.
 * @param opts the configuration, the card asked for and where from
 * @returns the resolved run
 * @throws UsageError or RunError when the target is missing, unknown or outside the cards root
 */
export async function resolveRun(opts: ResolveRunOptions): Promise<ResolvedRun> {
  const profile = resolveProfile(opts.config, opts.profile, opts.env);
  const { loadCards } = await import('../cards/load-cards.ts');
  const { buildGraph } = await import('../graph/build-graph.ts');
  const { cards } = await loadCards(opts.config);
  const graph = buildGraph(cards);
  const target = resolveTargetArg(opts, cards);
  const order = opts.only ? [target] : graph.chain(target).order;
  const chain = order.map((s) => graph.cards.get(s)!).filter(Boolean);
  return { profile, cards, graph, target, order, chain };
}

function resolveTargetArg(opts: ResolveRunOptions, cards: Card[]): string {
  if (
    opts.only &&
    opts.target &&
    resolveTarget(opts.only, cards, opts) !== resolveTarget(opts.target, cards, opts)
  ) {
    throw new UsageError(
      `Unexpected \`--only ${opts.only}\` with card \`${opts.target}\`, expected one card`,
      {
        fix: 'Pass either `mikado run CARD` or `mikado run --only CARD`.',
      },
    );
  }
  const targetArg = opts.only ?? opts.target;
  if (!targetArg) {
    throw new UsageError('Unexpected `mikado run` without a card, expected `mikado run CARD`');
  }
  return resolveTarget(targetArg, cards, opts);
}

/**
 * Finds the card a `mikado run` argument names: a stem, or a path (relative to `cwd`) under the
 * cards root.
 * @param arg the argument
 * @param cards the cards
 * @param where the configuration and the working directory
 * @returns the card's stem
 */
export function resolveTarget(
  arg: string,
  cards: Card[],
  where: { config: MikadoConfig; cwd: string },
): string {
  const { config, cwd } = where;
  const looksLikePath = arg.includes('/') || arg.endsWith('.md');
  if (looksLikePath) {
    const abs = path.resolve(cwd, arg);
    const rel = path.relative(config.cardsDir, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new RunError(
        `Unexpected card \`${arg}\` outside the cards root, expected a card under ${path.relative(config.root, config.cardsDir) || '.'}`,
        {
          code: 2,
          fix: 'Only cards under the cards root run; move the card there or pass `--cards`.',
        },
      );
    }
    const card = cards.find((c) => c.absPath === abs);
    if (!card) {
      throw new UsageError(`Unexpected card \`${arg}\`, expected an existing card file`, {
        fix: 'List the cards with `mikado view`.',
      });
    }
    return card.stem;
  }
  if (!cards.some((c) => c.stem === arg)) {
    throw new UsageError(
      `Unexpected card \`${arg}\`, expected the stem of a card under ${path.relative(config.root, config.cardsDir) || '.'}`,
      {
        fix: 'List the cards with `mikado view`.',
      },
    );
  }
  return arg;
}
