import type { Card, Diagnostic, Place } from './types.ts';

/** Frontmatter keys a card may have. */
export const CARD_KEYS = [
  'title',
  'modified',
  'last-reviewed',
  'tags',
  'status',
  'requires',
  'branch',
] as const;

/**
 * Frontmatter keys of the note-taking and site tools a docs tree is often shared with (Obsidian,
 * Quartz, Foam, and the usual static-site keys). They mean nothing to mikado and are accepted
 * without a warning, whatever their value.
 */
export const FOREIGN_KEYS = new Set([
  // Obsidian
  'aliases',
  'alias',
  'cssclasses',
  'cssclass',
  'publish',
  'permalink',
  // Quartz
  'description',
  'draft',
  'date',
  'created',
  'updated',
  'lastmod',
  'published',
  'publishDate',
  'enableToc',
  'comments',
  'lang',
  'socialDescription',
  'socialImage',
  'image',
  // Foam and note ids
  'id',
  'type',
  // common to static-site generators
  'author',
  'authors',
  'slug',
  'keywords',
  'summary',
]);

type Fields = Pick<
  Card,
  'title' | 'modified' | 'lastReviewed' | 'tags' | 'status' | 'requires' | 'branch'
>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const STEM = /^[^\s/\\#|[\]]+$/;

/**
 * Reads the Mikado fields of a card's frontmatter and checks them against the schema of SPEC §3
 * (title, dates, tags, status, requires, branch, unknown keys). Lenient: a bad value is reported
 * and read as well as it can be (`requires: abc` counts as `[abc]`).
 * @param data the frontmatter mapping
 * @param places where keys and list items sit (`key`, `key.N`, `key.value`)
 * @param path the card path for diagnostics
 * @returns the fields and the findings
 */
export function readCardFields(
  data: Record<string, unknown>,
  places: Record<string, Place>,
  path: string,
): Fields & { diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const place = (key: string): Place =>
    places[key] ?? places[`${key}.value`] ?? { line: 1, column: 1 };
  const valuePlace = (key: string): Place => places[`${key}.value`] ?? place(key);
  const report = (
    at: Place,
    rule: string,
    message: string,
    fix?: string,
    severity: Diagnostic['severity'] = 'error',
  ): void => {
    // Values are user text: keep every message on one line.
    const oneLine = (t: string): string => t.replace(/\r?\n/g, '\\n');
    diagnostics.push({
      path,
      line: at.line,
      column: at.column,
      severity,
      rule,
      message: oneLine(message),
      fix: fix === undefined ? undefined : oneLine(fix),
    });
  };
  const out: Fields = { tags: [], status: null, requires: [] };

  const title = data['title'];
  if (title === undefined || title === null || title === '') {
    report(
      { line: 1, column: 1 },
      'frontmatter-schema',
      'Missing `title`, expected a title string in the frontmatter',
      'Add `title: <what this card achieves>`.',
    );
  } else if (typeof title !== 'string') {
    report(
      valuePlace('title'),
      'frontmatter-schema',
      `Unexpected ${describe(title)} for \`title\`, expected a string`,
      'Quote the title: `title: "..."`.',
    );
    out.title = String(title);
  } else {
    out.title = title;
  }

  const modified = data['modified'];
  if (modified === undefined || modified === null) {
    report(
      { line: 1, column: 1 },
      'frontmatter-date',
      'Missing `modified`, expected a date `YYYY-MM-DD`',
      "Add `modified: <today's date>`.",
    );
  } else {
    out.modified = readDate('modified', modified);
  }
  const reviewed = data['last-reviewed'];
  if (reviewed !== undefined && reviewed !== null)
    out.lastReviewed = readDate('last-reviewed', reviewed);

  const tags = data['tags'];
  if (tags !== undefined && tags !== null) {
    if (Array.isArray(tags)) {
      tags.forEach((t, n) => {
        if (typeof t === 'string') out.tags.push(t);
        else
          report(
            place(`tags.${n}`),
            'frontmatter-schema',
            `Unexpected ${describe(t)} in \`tags\`, expected a string`,
          );
      });
    } else if (typeof tags === 'string') {
      report(
        valuePlace('tags'),
        'frontmatter-schema',
        `Unexpected string \`${tags}\` for \`tags\`, expected a list such as \`[${tags}]\``,
        'Write `tags: [a, b]` or one `- tag` line per tag.',
      );
      out.tags.push(tags);
    } else {
      report(
        valuePlace('tags'),
        'frontmatter-schema',
        `Unexpected ${describe(tags)} for \`tags\`, expected a list of strings`,
      );
    }
  }

  const status = data['status'];
  if (status === 'active') out.status = 'active';
  else if (status === null) {
    report(
      place('status'),
      'frontmatter-schema',
      'Unexpected empty `status`, expected `status: active` or no `status` key (complete)',
      'Remove the `status:` line to mark the card complete, or write `status: active`.',
      'warning',
    );
  } else if (status !== undefined) {
    report(
      valuePlace('status'),
      'frontmatter-schema',
      `Unexpected status ${describe(status)}, expected \`active\` or no \`status\` key (complete)`,
      'A card is complete when it has no `status:`; remove the line to close it.',
    );
  }

  const requires = data['requires'];
  const seen = new Set<string>();
  const addRequire = (value: unknown, at: Place): void => {
    if (typeof value !== 'string') {
      report(
        at,
        'frontmatter-schema',
        `Unexpected ${describe(value)} in \`requires\`, expected a card stem`,
        Array.isArray(value)
          ? 'Write stems without brackets: `requires: [a, b]`, not `[[a]]`.'
          : undefined,
      );
      return;
    }
    let stem = value.trim();
    if (/\.md$/i.test(stem)) {
      report(
        at,
        'frontmatter-schema',
        `Unexpected \`${stem}\` in \`requires\`, expected a card stem without \`.md\``,
        `Write \`${stem.slice(0, -3)}\`.`,
      );
      stem = stem.slice(0, -3);
    }
    if (!STEM.test(stem)) {
      report(
        at,
        'frontmatter-schema',
        `Unexpected \`${value}\` in \`requires\`, expected a card stem (a file name without \`.md\`)`,
      );
      return;
    }
    if (seen.has(stem)) {
      report(
        at,
        'frontmatter-schema',
        `Unexpected duplicate \`${stem}\` in \`requires\`, expected each stem once`,
        undefined,
        'warning',
      );
      return;
    }
    seen.add(stem);
    out.requires.push(stem);
  };
  if (Array.isArray(requires)) {
    requires.forEach((r, n) => {
      addRequire(r, place(`requires.${n}`));
    });
  } else if (typeof requires === 'string') {
    report(
      valuePlace('requires'),
      'frontmatter-schema',
      `Unexpected string \`${requires}\` for \`requires\`, expected a list such as \`[${requires}]\``,
      `Write \`requires: [${requires}]\` or one \`- stem\` line per prerequisite.`,
    );
    for (const part of requires.split(',')) {
      if (part.trim()) addRequire(part.trim(), valuePlace('requires'));
    }
  } else if (requires !== undefined && requires !== null) {
    report(
      valuePlace('requires'),
      'frontmatter-schema',
      `Unexpected ${describe(requires)} for \`requires\`, expected a list of card stems`,
    );
  }

  const branch = data['branch'];
  if (typeof branch === 'string') out.branch = branch;
  else if (branch !== undefined && branch !== null) {
    report(
      valuePlace('branch'),
      'frontmatter-schema',
      `Unexpected ${describe(branch)} for \`branch\`, expected \`mikado/<stem>\``,
    );
  }

  for (const key of Object.keys(data)) {
    if ((CARD_KEYS as readonly string[]).includes(key) || FOREIGN_KEYS.has(key)) continue;
    if (key === 'required-by') {
      report(
        place(key),
        'frontmatter-schema',
        'Unexpected `required-by`, expected it computed, never stored',
        "Remove `required-by`; list prerequisites in the other card's `requires` instead.",
      );
      continue;
    }
    report(
      place(key),
      'frontmatter-unknown-key',
      `Unexpected key \`${key}\`, expected one of ${CARD_KEYS.map((k) => `\`${k}\``).join(', ')} (or a key of Obsidian, Quartz or Foam such as \`aliases\`)`,
      undefined,
      'warning',
    );
  }
  return { ...out, diagnostics };

  function readDate(key: string, value: unknown): string | undefined {
    const text =
      typeof value === 'string'
        ? value
        : value instanceof Date
          ? value.toISOString().slice(0, 10)
          : undefined;
    const m = text === undefined ? null : DATE.exec(text);
    if (m && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) return text;
    report(
      valuePlace(key),
      'frontmatter-date',
      `Unexpected ${describe(value)} for \`${key}\`, expected a date \`YYYY-MM-DD\``,
      `Write the date as \`YYYY-MM-DD\`, for example \`${key}: 2026-01-31\`.`,
    );
    return undefined;
  }
}

function isRealDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Names a YAML value for a message: "string `x`", "number `3`", "a list", "a mapping".
 * @param value any parsed YAML value
 * @returns a short description
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `date \`${value.toISOString()}\``;
  if (typeof value === 'object') return 'a mapping';
  const text = String(value).replace(/\r?\n/g, '\\n');
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `${typeof value} \`${shown.replace(/`/g, "'")}\``;
}
