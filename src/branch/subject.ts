/** The four verbs of the Mikado Branch Invariant, in the order a cycle uses them. */
export const VERBS = ['plan', 'impl', 'close', 'finalize'] as const;

/** A Mikado commit verb. */
export type Verb = (typeof VERBS)[number];

/** A subject read against the convention `C2(<stem>): <verb> <description>`. */
export type Subject =
  | { kind: 'c2'; stem: string; verb: Verb; description: string }
  | { kind: 'fixup'; prefix: 'fixup' | 'squash' | 'amend'; target: string }
  | { kind: 'invalid'; reason: string };

/**
 * One whitespace character as the original hook's Python `\s` reads it (Unicode whitespace: tabs,
 * no-break spaces, the information separators `\x1c`-`\x1f`, ...), so subjects it accepted are
 * accepted here.
 */
const WS =
  '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const C2 = new RegExp(`^C2\\(([^()\\s]*)\\):(${WS}*)(.*)$`, 'u');
const WORD_END = new RegExp(`${WS}+`, 'u');
const FIXUP = /^(fixup|squash|amend)! ?(.*)$/u;

/**
 * Parses a commit subject. `fixup!`, `squash!` and `amend!` subjects (from
 * `git commit --fixup/--squash`) name the subject they will be squashed into.
 * @param subject the normalised first line of the message
 * @returns the verb and stem, the fixup target, or why the subject does not fit
 */
export function parseSubject(subject: string): Subject {
  const f = FIXUP.exec(subject);
  if (f) {
    let target = f[2] ?? '';
    for (let m = FIXUP.exec(target); m; m = FIXUP.exec(target)) target = m[2] ?? '';
    return { kind: 'fixup', prefix: f[1] as 'fixup' | 'squash' | 'amend', target };
  }
  const m = C2.exec(subject);
  if (!m) {
    return {
      kind: 'invalid',
      reason: `Unexpected subject \`${clip(subject)}\`, expected \`C2(<stem>): <verb> <description>\``,
    };
  }
  const stem = m[1] ?? '';
  if (stem === '') return { kind: 'invalid', reason: 'Unexpected empty stem in `C2()`' };
  if (m[2] === '') {
    return {
      kind: 'invalid',
      reason: `Unexpected \`${clip(subject)}\`, expected a space after \`:\``,
    };
  }
  // Runs of whitespace after `:` and after the verb count as one space, as in the original hook.
  const rest = m[3] ?? '';
  const gap = WORD_END.exec(rest);
  const verb = gap ? rest.slice(0, gap.index) : rest;
  if (!(VERBS as readonly string[]).includes(verb)) {
    return {
      kind: 'invalid',
      reason: `Unexpected verb \`${clip(verb)}\`, expected \`plan\`, \`impl\`, \`close\` or \`finalize\``,
    };
  }
  const description = gap ? rest.slice(gap.index + gap[0].length) : '';
  if (description.trim() === '') {
    return {
      kind: 'invalid',
      reason: `Unexpected subject without a description, expected \`C2(${stem}): ${verb} <description>\``,
    };
  }
  return { kind: 'c2', stem, verb: verb as Verb, description };
}

/**
 * The card stem a `close` description names: its first word, without trailing punctuation and
 * an optional `[[...]]` around it.
 * @param description the description after the verb
 * @returns the stem, or `''`
 */
export function namedStem(description: string): string {
  const word = description.trim().split(/\s+/)[0] ?? '';
  return word
    .replace(/[:;,.!?]+$/, '')
    .replace(/^`(.*)`$/, '$1')
    .replace(/^\[\[(.*)\]\]$/, '$1');
}

function clip(text: string): string {
  return text.length > 72 ? `${text.slice(0, 69)}...` : text;
}
