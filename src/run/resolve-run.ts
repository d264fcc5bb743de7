import path from 'node:path';
import type { Card, Diagnostic } from '../cards/types.ts';
import { type FoundFile, walkFiles } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { RunError, UsageError } from '../errors.ts';
import type { CardGraph } from '../graph/build-graph.ts';
import { shellQuote } from '../shell-quote.ts';
import {
  type CommittedCards,
  type NoCommittedCards,
  readCommittedCards,
} from './committed-cards.ts';
import { type ResolvedProfile, resolveProfile } from './resolve-profile.ts';
import type { RunCardsOptions } from './run-cards.ts';

/** What a run is about: the profile, the cards, the target and its chain. */
export interface ResolvedRun {
  profile: ResolvedProfile;
  cards: Card[];
  graph: CardGraph;
  /** The target card's stem. */
  target: string;
  /** The chain's stems, prerequisites first (just the target for `--only`). */
  order: string[];
  /** The chain's cards, in `order`, fully parsed (blocks read). */
  chain: Card[];
  /** The cards as committed at HEAD, when there is a commit to read. */
  committed?: CommittedCards;
  /** The card files in the work tree (what the walker finds). */
  workTree: FoundFile[];
  /** Whether the cards come from the work tree (`--allow-dirty`) rather than from HEAD. */
  fromWorkTree: boolean;
}

/** What {@link resolveRun} needs: the run's options that say what it is about. */
export type ResolveRunOptions = Pick<
  RunCardsOptions,
  'config' | 'target' | 'only' | 'cwd' | 'env' | 'profile' | 'allowDirty'
>;

/**
 * Resolves what a run is about: the profile, the cards and the target with its chain. The cards
 * are the ones committed at HEAD (read from git, not from the work tree); with `--allow-dirty`
 * they are the work tree's.
 * @param opts the configuration, the card asked for and where from
 * @returns the resolved run
 * @throws UsageError or RunError when the target is missing, unknown, outside the cards root, or
 *   when there is no commit to read the cards from
 */
export async function resolveRun(opts: ResolveRunOptions): Promise<ResolvedRun> {
  const { config } = opts;
  const profile = resolveProfile(config, opts.profile, opts.env);
  const { buildGraph } = await import('../graph/build-graph.ts');
  const { parseCard } = await import('../cards/parse-card.ts');
  const read = readCommittedCards(config);
  const committed = 'why' in read ? undefined : read;
  const { files: workTree } = walkFiles(config.cardsDir, {
    root: config.root,
    exclude: config.exclude,
  });
  let cards: Card[];
  let findings: Diagnostic[] = committed?.diagnostics ?? [];
  if (opts.allowDirty) {
    const { loadCards } = await import('../cards/load-cards.ts');
    ({ cards, diagnostics: findings } = await loadCards(config));
  } else if (!committed) {
    throw noCommit(config, (read as NoCommittedCards).why);
  } else {
    cards = committed.cards;
  }
  const graph = buildGraph(cards);
  const target = resolveTargetArg(opts, cards, {
    workTree: opts.allowDirty ? undefined : workTree,
    findings,
  });
  const order = opts.only ? [target] : graph.chain(target).order;
  const chain = order
    .map((s) => graph.cards.get(s))
    .filter((c): c is Card => c !== undefined)
    .map((c) => {
      const bytes = opts.allowDirty ? undefined : committed?.bytes.get(c.path);
      return bytes ? parseCard(bytes.toString('utf8'), { path: c.path, absPath: c.absPath }) : c;
    });
  return {
    profile,
    cards,
    graph,
    target,
    order,
    chain,
    committed,
    workTree,
    fromWorkTree: Boolean(opts.allowDirty),
  };
}

function stemOf(p: string): string {
  return p.replace(/^.*\//, '').replace(/\.(md|markdown)$/i, '');
}

function noCommit(config: MikadoConfig, why: string): RunError {
  const cards = shellQuote(path.relative(config.root, config.cardsDir) || '.');
  const init = why === 'not a git repository' ? 'git init && ' : '';
  return new RunError(
    `Unexpected cards without a commit to read them from (${why}), expected the cards committed at HEAD: what runs is decided by the committed cards`,
    {
      code: 2,
      fix: `Commit the cards (\`${init}git add ${cards} && git commit -m "Add the cards"\`), or pass \`--allow-dirty\` to run the work tree as it is.`,
    },
  );
}

function resolveTargetArg(
  opts: ResolveRunOptions,
  cards: Card[],
  near: { workTree: FoundFile[] | undefined; findings: Diagnostic[] },
): string {
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
  try {
    return resolveTarget(targetArg, cards, opts);
  } catch (error) {
    // A card only the work tree has: say that it is not committed.
    if (!(error instanceof UsageError)) throw error;
    const stem = stemOf(targetArg);
    // A file that could not be a card (a link out of the repository, binary, ...): say why.
    const finding = near.findings.find((d) => stemOf(d.path) === stem);
    if (finding) {
      throw new RunError(`${finding.path}:${finding.line}:${finding.column}: ${finding.message}`, {
        code: 2,
        fix: finding.fix,
      });
    }
    const file = near.workTree?.find(
      (f) => path.basename(f.path).replace(/\.(md|markdown)$/i, '') === stem,
    );
    if (!file) throw error;
    throw new RunError(
      `${file.path}: Unexpected card \`${targetArg}\` that is not committed at HEAD, expected a committed card: what runs is decided by the committed cards`,
      {
        code: 2,
        fix: `Commit it (\`git add ${shellQuote(file.path)}\` and commit), or pass \`--allow-dirty\` to run the work tree as it is.`,
      },
    );
  }
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
