import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { stringify } from 'yaml';
import { globMatcher } from '../cards/glob-matcher.ts';
import { loadCards } from '../cards/load-cards.ts';
import type { Card } from '../cards/types.ts';
import { isWalkedPath } from '../cards/walk-files.ts';
import type { MikadoConfig } from '../config/types.ts';
import { CardError, UsageError } from '../errors.ts';
import { packageRoot } from '../package-root.ts';
import { editFrontmatter } from './edit-frontmatter.ts';
import { frontmatterOffsets } from './frontmatter-offsets.ts';

/** What {@link newCard} needs. */
export interface NewCardOptions {
  config: MikadoConfig;
  /** The new card's stem; may carry a topic folder (`topic/stem`). */
  stem: string;
  /** Create a goal (from `templates/goal.md`). */
  goal?: boolean;
  /** The card that needs the new one: the new stem is appended to its `requires`. */
  parent?: string;
  /** Title (default: the stem in words). */
  title?: string;
  /** Topic folder under the cards root. */
  dir?: string;
  /** Today's date, `YYYY-MM-DD`. */
  date: string;
  /** The checked-out branch: a goal created on `mikado/<stem>` gets `branch: mikado/<stem>`. */
  currentBranch?: string;
}

/** What {@link newCard} did. */
export interface NewCardResult {
  /** The new card, relative to the repository root. */
  path: string;
  /** The parent card that now requires the new one. */
  parentPath?: string;
  /** The `branch` written into a new goal, if any. */
  branch?: string;
}

const STEM = /^[^\s/\\#|[\]:*?"<>.][^\s/\\#|[\]:*?"<>]*$/u;

/**
 * Creates a card from the project's `templates/` (or the ones shipped with mikado): fills
 * `{{title}}`, `{{date}}` and `{{parent}}`, refuses a stem that exists anywhere under the cards
 * root, and appends the stem to the parent's `requires` without disturbing anything else.
 * @param options the stem, kind, parent, title, folder and date
 * @returns the paths written
 */
export async function newCard(options: NewCardOptions): Promise<NewCardResult> {
  const { config } = options;
  let stem = options.stem.replace(/\.md$/, '');
  let dir = options.dir ?? '';
  if (stem.includes('/')) {
    dir = path.posix.join(dir, path.posix.dirname(stem));
    stem = path.posix.basename(stem);
  }
  if (!STEM.test(stem)) {
    throw new UsageError(
      `Unexpected card stem \`${options.stem}\`, expected a file name without spaces, \`/\`, \`#\`, \`|\` or brackets`,
      { fix: 'Use a kebab-case stem such as `cnpg-on-ringtail`.' },
    );
  }
  const dirParts = dir.split('/').filter((p) => p !== '' && p !== '.');
  if (path.isAbsolute(dir) || dirParts.some((p) => p === '..' || p.startsWith('.'))) {
    throw new UsageError(`Unexpected folder \`${dir}\`, expected a folder inside the cards root`);
  }
  checkFolders(options, dirParts, stem);
  if (options.goal && options.parent) {
    throw new UsageError('Unexpected `--goal` with `--for`: a goal is required by no card', {
      fix: 'Drop `--goal` to create a prerequisite of the parent, or `--for` to create a goal.',
    });
  }
  const { cards } = await loadCards(config, { full: false });
  const byStem = new Map<string, Card>();
  for (const c of cards) if (!byStem.has(c.stem)) byStem.set(c.stem, c);
  const existing = byStem.get(stem);
  if (existing) {
    throw new UsageError(
      `Unexpected new card \`${stem}\`: it exists already, \`${existing.path}\``,
      {
        fix: `Edit ${existing.path}, or pick another stem (stems are unique across the cards root).`,
      },
    );
  }
  if (!options.goal && !options.parent) {
    throw new UsageError(
      `Unexpected card \`${stem}\` without a parent, expected \`--for PARENT\` or \`--goal\``,
      {
        fix: `Run \`mikado new ${stem} --for <card that needs it>\`, or \`mikado new ${stem} --goal\`.`,
      },
    );
  }

  const absPath = path.join(config.cardsDir, ...dirParts, `${stem}.md`);
  const relPath = path.relative(config.root, absPath).split(path.sep).join('/');
  if (existsSync(absPath)) {
    throw new UsageError(`${relPath} already exists`, { fix: 'Pick another stem.' });
  }

  let parentEdit: { card: Card; text: string } | undefined;
  if (options.parent) {
    const parent = byStem.get(options.parent);
    if (!parent) {
      throw new UsageError(
        `Unexpected parent \`${options.parent}\`: no such card under the cards root`,
        {
          fix: 'Name an existing card with `--for` (its file stem).',
        },
      );
    }
    const text = readFileSync(parent.absPath, 'utf8');
    const edited = editFrontmatter(
      text,
      [
        { op: 'append', key: 'requires', item: stem },
        { op: 'set', key: 'modified', value: options.date },
      ],
      parent.path,
    );
    parentEdit = { card: parent, text: edited };
  }

  const title = options.title ?? titleFromStem(stem);
  const template = readTemplate(config.root, options.goal ? 'goal' : 'card');
  let text = renderTemplate(template, { title, date: options.date, parent: options.parent ?? '' });
  const branch = `mikado/${stem}`;
  const setBranch = options.goal && options.currentBranch === branch;
  if (setBranch)
    text = editFrontmatter(text, [{ op: 'set', key: 'branch', value: branch }], relPath);

  mkdirSync(path.dirname(absPath), { recursive: true });
  writeFileAtomic.sync(absPath, text);
  if (parentEdit) writeFileAtomic.sync(parentEdit.card.absPath, parentEdit.text);
  return {
    path: relPath,
    parentPath: parentEdit?.card.path,
    branch: setBranch ? branch : undefined,
  };
}

/**
 * Reads a card template: the project's `templates/<name>.md`, else mikado's own.
 * @param root repository root
 * @param name `goal` or `card`
 * @returns the template text
 */
export function readTemplate(root: string, name: 'goal' | 'card'): string {
  for (const dir of [path.join(root, 'templates'), path.join(packageRoot(), 'templates')]) {
    const file = path.join(dir, `${name}.md`);
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new CardError(`templates/${name}.md not found`, {
    fix: 'Restore the template, or reinstall mikado-docs.',
  });
}

/**
 * Fills a template's `{{title}}`, `{{date}}` and `{{parent}}`. In the frontmatter, values are
 * written as YAML scalars (quoted when they need it); in the body, as they are.
 * @param template the template text
 * @param values the values
 * @returns the card text
 */
export function renderTemplate(
  template: string,
  values: { title: string; date: string; parent: string },
): string {
  const fill = (s: string, scalar: (v: string) => string): string =>
    s.replace(/\{\{\s*(title|date|parent)\s*\}\}/g, (_m, key: keyof typeof values) =>
      scalar(values[key]),
    );
  const fm = frontmatterOffsets(template);
  if (!fm) return fill(template, (v) => v);
  const yamlScalar = (v: string): string => stringify(v, { lineWidth: 0 }).replace(/\n$/, '');
  return (
    template.slice(0, fm.yamlStart) +
    fill(fm.yaml, yamlScalar) +
    template.slice(fm.yamlEnd, fm.bodyStart) +
    fill(template.slice(fm.bodyStart), (v) => v)
  );
}

/**
 * A title from a stem: words, first letter capital (`cnpg-on-ringtail` → `Cnpg on ringtail`).
 * @param stem the stem
 * @returns the title
 */
export function titleFromStem(stem: string): string {
  const words = stem.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every folder of a new card's path is named like a stem, and is one the walker reads. */
function checkFolders(options: NewCardOptions, dirParts: string[], stem: string): void {
  const { config } = options;
  const badPart = dirParts.find((p) => !STEM.test(p));
  if (badPart !== undefined) {
    throw new UsageError(
      `Unexpected folder name \`${badPart}\` in \`${options.stem}\`, expected folder names made like stems: no spaces, \`/\`, \`#\`, \`|\`, brackets or quotes`,
      { fix: `Use a kebab-case folder such as \`topic/${stem}\`.` },
    );
  }
  const rel = [...dirParts, `${stem}.md`].join('/');
  if (!isWalkedPath(rel, globMatcher(config.exclude))) {
    throw new UsageError(
      `Unexpected card \`${rel}\` in a folder mikado does not read (hidden, \`node_modules\`, or \`exclude:\` in mikado.config.yaml), expected a folder of cards`,
      {
        fix: `Put the card in a folder mikado reads, for example at the top of the cards root: \`mikado new ${stem}${options.goal ? ' --goal' : options.parent ? ` --for ${options.parent}` : ''}\`.`,
      },
    );
  }
}
