/** A 1-based place in a file. */
export interface Place {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Severity of a finding. */
export type Severity = 'error' | 'warning';

/** One finding about a card or the chain, printed as `path:line:col  severity  rule  message`. */
export interface Diagnostic extends Place {
  /** Path relative to the repository root. */
  path: string;
  severity: Severity;
  /** Rule id, kebab-case (`frontmatter-yaml`, `unknown-requires`, ...). */
  rule: string;
  /** What is wrong, worded "Unexpected X, expected Y" where that fits. */
  message: string;
  /** How to fix it, when there is something to say. */
  fix?: string;
}

/** An Obsidian-style wikilink found in a card body. */
export interface WikiLink extends Place {
  /** The target stem (or path) as written, without `#heading` and `|alias`. */
  target: string;
  heading?: string;
  alias?: string;
  /** `![[...]]` */
  embed: boolean;
}

/** A fenced ```ts run block. */
export interface Block {
  /** `name=` attribute, or `<stem>#<n>` (n counts the card's run blocks from 1). */
  name: string;
  /** 0-based index among the card's `ts run` blocks, in document order. */
  index: number;
  /** 1-based line of the opening fence. */
  line: number;
  /** 1-based line of the first line of code (fence line + 1). */
  codeLine: number;
  /** The code, exactly as in the card. */
  code: string;
  verify: boolean;
  confirm: boolean;
  /** Timeout in milliseconds, from `timeout=` (`30s`, `10m`, `1h`, `500ms`). */
  timeoutMs?: number;
  /** Every attribute as written: `name=x` → `{name: 'x'}`, `confirm` → `{confirm: true}`. */
  attrs: Record<string, string | true>;
}

/** A Mikado card: one Markdown file under the cards root. */
export interface Card {
  /** File stem: the card's id. */
  stem: string;
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  /** Absolute path. */
  absPath: string;
  title?: string;
  modified?: string;
  lastReviewed?: string;
  tags: string[];
  /** `'active'` while open; `null` when complete. */
  status: 'active' | null;
  requires: string[];
  branch?: string;
  /** The parsed frontmatter, or null when the file has none. */
  frontmatter: Record<string, unknown> | null;
  /** 1-based line where the body starts (after the closing `---`). */
  bodyLine: number;
  /** The Markdown after the frontmatter, byte for byte. */
  body: string;
  /** Headings' texts, in order (filled by a full parse). */
  headings: string[];
  links: WikiLink[];
  blocks: Block[];
  /** Where frontmatter keys (`key`) and list items (`key.N`) sit, when the frontmatter parsed. */
  places?: Record<string, Place>;
  /** Findings made while parsing this card. */
  diagnostics: Diagnostic[];
}
