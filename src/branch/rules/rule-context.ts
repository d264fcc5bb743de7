import { parseCardFrontmatter } from '../../cards/parse-card-frontmatter.ts';
import type { Card } from '../../cards/types.ts';
import { shellQuote } from '../../shell-quote.ts';
import { type MikadoFields, mikadoFieldsOf } from '../card-fields.ts';
import type { JudgedCommit, JudgedEntry, JudgeInput, ResetPoint, RuleId } from '../judge-branch.ts';
import { parseSubject, type Verb } from '../subject.ts';

export { shellQuote };

/** One broken rule, as a rule reports it (the judge adds the commit and resolves the fix). */
export interface Finding {
  /** The commit's index in {@link RuleContext.commits}. */
  index: number;
  rule: RuleId;
  /** One sentence: what is wrong. */
  message: string;
  /** What to do: a command that leads to an accepted commit, and what it does. */
  fix: string;
  /** Where `mikado reset` returns to, when the fix goes through it. */
  resetPoint?: ResetPoint;
}

/** A rule of the Mikado Branch Invariant: the branch in, the violations out. */
export type BranchRule = (ctx: RuleContext) => Finding[] | Promise<Finding[]>;

/** The verb a commit's content is judged as: its own, or its fixup target's. */
export interface ContentVerb {
  verb: Verb;
  description: string;
  /** Judged as the target of a `fixup!`/`squash!`/`amend!` commit. */
  asFixup: boolean;
}

/** A commit whose content is judged as a verb, with its place in the branch. */
export interface VerbCommit {
  /** The commit's index in {@link RuleContext.commits}. */
  index: number;
  commit: JudgedCommit;
  /** The verb (its own, or its fixup target's) and the subject's description. */
  content: ContentVerb;
}

/** The branch as every rule sees it: commits, parsed subjects and where each cycle stands. */
export interface RuleContext {
  input: JudgeInput;
  stem: string;
  /** `mikado/<stem>`. */
  branchName: string;
  commits: JudgedCommit[];
  /** Every commit with its parsed subject, in branch order. */
  entries: JudgedEntry[];
  /** The index of the first conventional `finalize` commit, if any. */
  finalizedAt: number | undefined;
  /**
   * The index of the first conventional `impl` or `close` commit: the planning layer is every
   * commit before it (all commits when there is none).
   */
  planningEnd: number;
  /**
   * The end of the planning layer, where a new `plan` belongs: the last commit before the first
   * `impl` or `close`, or the base when the branch starts with one. Undefined when no cycle began
   * or the base is unknown.
   */
  resetPoint: ResetPoint | undefined;
  /**
   * @param i a commit's index
   * @returns the verb of the last conventional commit before it (merges and fixups skipped)
   */
  verbBefore(i: number): Verb | undefined;
  /**
   * @param i a commit's index
   * @returns whether a conventional `impl` or `close` commit comes before it
   */
  cycleBefore(i: number): boolean;
  /**
   * @param verb a verb
   * @param options `fixups`: also the fixups of such commits, judged as their target (default
   *   false: only the conventional commits with that verb)
   * @returns the commits whose content is judged as `verb`, in branch order (merges never)
   */
  judgedAs(verb: Verb, options?: { fixups?: boolean }): VerbCommit[];
  /**
   * @param i the index of a `fixup!`-style commit
   * @returns the earlier commit it names, if any
   */
  fixupTarget(i: number): JudgedEntry | undefined;
  /**
   * @param i a commit's index
   * @returns true for the commit being made
   */
  isNew(i: number): boolean;
  /**
   * @param rev a commit sha, or `''` for the index
   * @param path a card's path
   * @returns the card's Mikado fields there, or null when it does not exist (cached)
   */
  fieldsAt(rev: string, path: string): Promise<MikadoFields | null>;
  /**
   * @param rev a commit sha, or `''` for the index
   * @param path a card's path
   * @returns the card there, read through the frontmatter fast path, or null (cached)
   */
  cardAt(rev: string, path: string): Promise<Card | null>;
}

/**
 * Prepares what the rules share: parsed subjects, the ordering state before each commit and a
 * cached card reader.
 * @param input what the judge was given
 * @returns the context
 */
export function createRuleContext(input: JudgeInput): RuleContext {
  const { commits } = input;
  const entries: JudgedEntry[] = commits.map((commit) => ({
    commit,
    subject: parseSubject(commit.subject),
  }));
  const before: (Verb | undefined)[] = [];
  const cycle: boolean[] = [];
  let last: Verb | undefined;
  let sawCycle = false;
  let finalizedAt: number | undefined;
  let planningEnd = entries.length;
  for (let i = 0; i < entries.length; i++) {
    before.push(last);
    cycle.push(sawCycle);
    const e = entries[i]!;
    if (e.commit.merge || e.subject.kind !== 'c2') continue;
    const verb = e.subject.verb;
    if ((verb === 'impl' || verb === 'close') && !sawCycle) planningEnd = i;
    if (verb === 'impl' || verb === 'close') sawCycle = true;
    if (verb === 'finalize' && finalizedAt === undefined) finalizedAt = i;
    last = verb;
  }
  const targets = new Map<number, JudgedEntry | undefined>();
  const fixupTarget = (i: number): JudgedEntry | undefined => {
    if (targets.has(i)) return targets.get(i);
    const e = entries[i];
    const t =
      e?.subject.kind === 'fixup' ? findFixupTarget(entries, i, e.subject.target) : undefined;
    targets.set(i, t);
    return t;
  };
  const cards = new Map<string, Promise<Card | null>>();
  const cardAt = (rev: string, path: string): Promise<Card | null> => {
    const key = `${rev}:${path}`;
    let p = cards.get(key);
    if (!p) {
      p = input.cards
        .read(rev, path)
        .then((text) =>
          text === null ? null : parseCardFrontmatter(text, { path, absPath: path }),
        );
      cards.set(key, p);
    }
    return p;
  };
  // The verb a commit's content is judged as, or undefined (merges, bad subjects, fixups of
  // nothing).
  const contentVerb = (i: number): ContentVerb | undefined => {
    const e = entries[i];
    if (!e || e.commit.merge) return undefined;
    if (e.subject.kind === 'c2') {
      return { verb: e.subject.verb, description: e.subject.description, asFixup: false };
    }
    if (e.subject.kind !== 'fixup') return undefined;
    const t = fixupTarget(i);
    if (t?.subject.kind !== 'c2') return undefined;
    return { verb: t.subject.verb, description: t.subject.description, asFixup: true };
  };
  return {
    input,
    stem: input.stem,
    branchName: `mikado/${input.stem}`,
    commits,
    entries,
    finalizedAt,
    planningEnd,
    resetPoint: planningEndPoint(input, planningEnd),
    verbBefore: (i) => before[i],
    cycleBefore: (i) => cycle[i] ?? false,
    judgedAs(verb, { fixups = false } = {}) {
      const out: VerbCommit[] = [];
      commits.forEach((commit, index) => {
        const content = contentVerb(index);
        if (content?.verb === verb && (fixups || !content.asFixup))
          out.push({ index, commit, content });
      });
      return out;
    },
    fixupTarget,
    isNew: (i) => commits[i]?.sha === null,
    fieldsAt: async (rev, path) => {
      const card = await cardAt(rev, path);
      return card && mikadoFieldsOf(card);
    },
    cardAt,
  };
}

function findFixupTarget(
  entries: JudgedEntry[],
  i: number,
  target: string,
): JudgedEntry | undefined {
  const earlier = entries.slice(0, i).filter((e) => e.subject.kind !== 'fixup');
  const bySubject =
    earlier.find((e) => e.commit.subject === target) ??
    earlier.find((e) => target !== '' && e.commit.subject.startsWith(target));
  if (bySubject) return bySubject;
  if (/^[0-9a-f]{4,}$/i.test(target)) {
    return earlier.find((e) => e.commit.sha?.startsWith(target.toLowerCase()));
  }
  return undefined;
}

function planningEndPoint(input: JudgeInput, end: number): ResetPoint | undefined {
  if (end >= input.commits.length) return undefined;
  const c = end > 0 ? input.commits[end - 1] : undefined;
  if (c?.sha) {
    return { sha: c.sha, subject: c.subject, label: `\`${c.subject}\` at \`${short(c.sha)}\`` };
  }
  const base = input.base;
  if (end > 0 || !base.sha) return undefined;
  const name = base.fallback ? 'the branch start' : `\`${base.name}\``;
  return { sha: base.sha, label: `${name} at \`${short(base.sha)}\`` };
}

/**
 * The fix for a commit already in the history that only an interactive rebase can mend.
 * @param sha the commit
 * @param what what to do with it in the rebase (`reword it`, ...)
 * @returns the fix
 */
export function rebaseFix(sha: string, what: string): string {
  return `${what} with \`git rebase -i ${short(sha)}^\``;
}

/**
 * The fix that takes card changes out of a commit of the history (mark it `edit` in the rebase):
 * the commit keeps the rest, the card changes come back uncommitted, to be planned.
 * @param sha the commit
 * @param cards the card paths to take out
 * @returns the fix
 */
export function splitCardsFix(sha: string, cards: string[]): string {
  const paths = cards.map(shellQuote).join(' ');
  return `take the card change out: \`git rebase -i ${short(sha)}^\`, mark the commit \`edit\`, run \`git restore --source=HEAD^ --staged --worktree -- ${paths} && git commit --amend --no-edit && git rebase --continue\`, then make the card change again and plan it with \`mikado plan\``;
}

/**
 * A commit command for a message, quoted for a POSIX shell.
 * @param subject the subject
 * @returns `git commit -m '...'`
 */
export function commitCommand(subject: string): string {
  return `git commit -m ${shellQuote(subject)}`;
}

/**
 * A sha shortened to 7 characters.
 * @param sha a full sha
 * @returns the short sha
 */
export function short(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * A commit for a message: its short sha in backticks, or "this commit".
 * @param c the commit
 * @returns the label
 */
export function shaLabel(c: JudgedCommit): string {
  return c.sha ? `\`${short(c.sha)}\`` : 'this commit';
}

/**
 * Up to four items joined with commas, then "and N more".
 * @param items the items
 * @returns the list
 */
export function list(items: string[]): string {
  if (items.length <= 4) return items.join(', ');
  return `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`;
}

/**
 * Text cut to 60 characters for a message.
 * @param text the text
 * @returns the text, or its start and `...`
 */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
