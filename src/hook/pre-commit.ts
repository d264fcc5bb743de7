import { splitFrontmatter } from '../cards/split-frontmatter.ts';
import type { Diagnostic } from '../cards/types.ts';
import type { MikadoConfig } from '../config/types.ts';
import { cardMatcher } from './card-matcher.ts';
import { CatFile, git } from './git.ts';

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

/**
 * The pre-commit hook: the card conventions, on the cards staged for this commit only (their
 * staged content, not the work tree's).
 * @param options repository root and config
 * @returns the findings about staged cards
 */
export async function preCommit(options: PreCommitOptions): Promise<Diagnostic[]> {
  const staged = await readStagedCards(options.root, options.config);
  if (staged.length === 0) return [];
  return checkStaged(staged);
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
    {
      cwd: root,
    },
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

function checkStaged(staged: StagedCard[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const card of staged) {
    if (!splitFrontmatter(card.text)) {
      out.push({
        path: card.path,
        line: 1,
        column: 1,
        severity: 'error',
        rule: 'frontmatter-missing',
        message: 'Unexpected card without frontmatter, expected a `---` YAML block first',
      });
    }
  }
  return out;
}

/**
 * Renders findings as `path:line:col  severity  rule  message`.
 * @param diagnostics the findings
 * @returns the text, one finding per line
 */
export function formatDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics
    .map((d) => `${d.path}:${d.line}:${d.column}  ${d.severity}  ${d.rule}  ${d.message}\n`)
    .join('');
}
