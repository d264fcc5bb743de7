import type { BranchBase, BranchCommit, ChangedPath } from './branch-history.ts';
import { branchRules } from './branch-rules.ts';
import { createRuleContext, short } from './rules/rule-context.ts';
import type { Subject, Verb } from './subject.ts';

/** A commit as the judge sees it: one of the branch's commits, or the one being made. */
export interface JudgedCommit {
  /** The commit's sha, or null for the commit being made ("this commit"). */
  sha: string | null;
  /** The first parent (undefined for a root commit). */
  parent: string | undefined;
  /** Normalised subject. */
  subject: string;
  /** Paths changed against the first parent. */
  paths: ChangedPath[];
  /** More than one parent. */
  merge: boolean;
}

/**
 * The branch's commits as the judge reads them.
 * @param commits commits from `git log` (oldest first)
 * @returns the judged commits, in the same order
 */
export function judgedCommits(commits: BranchCommit[]): JudgedCommit[] {
  return commits.map((c) => ({
    sha: c.sha,
    parent: c.parents[0],
    subject: c.subject,
    paths: c.paths,
    merge: c.parents.length > 1,
  }));
}

/** Reads cards at a revision. The revision `''` means the index (the commit being made). */
export interface CardSource {
  /**
   * @param rev a commit sha, or `''` for the index
   * @param path path relative to the repository root
   * @returns the file's text, or null when it does not exist there
   */
  read(rev: string, path: string): Promise<string | null>;
  /**
   * @param rev a commit sha, or `''` for the index
   * @returns every card path at that revision by stem (the first, if a stem repeats)
   */
  cardPaths(rev: string): Promise<Map<string, string>>;
  /**
   * @param rev a commit sha, or `''` for the index
   * @param stem the card's stem
   * @returns the card's path at that revision, if it exists
   */
  findCard(rev: string, stem: string): Promise<string | undefined>;
}

/** Rule ids reported by the hook. */
export type RuleId =
  | 'subject-format'
  | 'subject-stem'
  | 'merge-commit'
  | 'fixup-target'
  | 'fixup-unsquashed'
  | 'plan-after-cycle'
  | 'card-after-cycle'
  | 'close-before-impl'
  | 'finalize-not-last'
  | 'finalize-open-cycle'
  | 'impl-changes-card'
  | 'plan-changes-code'
  | 'close-card'
  | 'close-not-leaf'
  | 'close-changes-code'
  | 'finalize-frontmatter'
  | 'goal-card';

/** Rules about how a subject is written rather than what the branch does. */
export const UNCONVENTIONAL_RULES: readonly RuleId[] = [
  'subject-format',
  'subject-stem',
  'merge-commit',
  'fixup-target',
  'fixup-unsquashed',
];

/** The commit to return to with `mikado reset`: a good `plan` or `close`, or the base. */
export interface ResetPoint {
  sha: string;
  /** The commit's subject, or undefined when the reset point is the base branch. */
  subject?: string;
  /** `` `C2(x): close y` at `a1b2c3d` `` or `` `main` at `a1b2c3d` ``. */
  label: string;
}

/** One broken rule. */
export interface Violation {
  /** The commit's sha, or null for the commit being made. */
  commit: string | null;
  subject: string;
  rule: RuleId;
  /** One sentence: what is wrong. */
  message: string;
  /** What to do. */
  fix: string;
  /** Where `mikado reset` would return to, for invariant violations. */
  resetPoint?: ResetPoint;
}

/** Where a branch stands in the Mikado cycle. */
export type Position =
  | 'empty'
  | 'planning'
  | 'mid-cycle'
  | 'between-cycles'
  | 'finalized'
  | 'unconventional'
  | 'invariant-violation';

/** A judged commit with its parsed subject. */
export interface JudgedEntry {
  commit: JudgedCommit;
  subject: Subject;
}

/** The judge's findings about a branch. */
export interface Verdict {
  violations: Violation[];
  entries: JudgedEntry[];
  position: Position;
  /** The last conventional verb, ignoring fixups. */
  lastVerb?: Verb;
  /**
   * Where `mikado reset` returns to: the end of the planning layer (the last commit before the
   * first `impl` or `close`, or the base). Undefined when no commit follows the planning layer.
   */
  resetPoint?: ResetPoint;
  /**
   * The commits after the reset point in the order `mikado replay` applies them: `plan` commits
   * first, then the cycles as they were.
   */
  replay: JudgedCommit[];
}

/** What {@link judgeBranch} needs. */
export interface JudgeInput {
  /** The stem of `mikado/<stem>`. */
  stem: string;
  /** The base the branch was measured against. */
  base: BranchBase;
  /** The branch's commits, oldest first; the commit being made (sha null) last, if any. */
  commits: JudgedCommit[];
  /** `commit`: judging a commit being made; `branch`: judging existing history (CI). */
  mode: 'commit' | 'branch';
  /** Accept `fixup!`/`squash!`/`amend!` commits in `branch` mode. */
  allowFixups?: boolean;
  /** Whether a repository path is a card. */
  isCard: (path: string) => boolean;
  cards: CardSource;
}

/**
 * Judges a Mikado branch against the Mikado Branch Invariant:
 * `base <- plan* <- (impl+ close+)* <- finalize?`, every subject `C2(<stem>): <verb> <description>`,
 * `impl` changes no card, `plan` only cards, `close X` removes `status: active` from X,
 * `finalize` leaves no Mikado frontmatter in the chain, and the goal card names the branch.
 * Runs every rule of {@link branchRules} and reports their findings in branch order.
 * @param input the commits, the branch stem and a way to read cards
 * @returns the violations, the branch position and the reset point
 */
export async function judgeBranch(input: JudgeInput): Promise<Verdict> {
  const ctx = createRuleContext(input);
  const { commits, entries } = ctx;
  const found = await Promise.all(branchRules.map(([, rule]) => rule(ctx)));
  const findings = found
    .flatMap((list, order) => list.map((f) => ({ f, order })))
    .sort((a, b) => a.f.index - b.f.index || a.order - b.order)
    .map((x) => x.f);
  const violations: Violation[] = findings.map((f) => {
    const c = commits[f.index]!;
    const v: Violation = {
      commit: c.sha,
      subject: c.subject,
      rule: f.rule,
      message: f.message,
      fix: f.fix,
    };
    if (f.resetPoint) v.resetPoint = f.resetPoint;
    return v;
  });

  let lastVerb: Verb | undefined;
  for (const e of entries) {
    if (!e.commit.merge && e.subject.kind === 'c2') lastVerb = e.subject.verb;
  }
  const unconventional = violations.some((v) => UNCONVENTIONAL_RULES.includes(v.rule));
  const position: Position = unconventional
    ? 'unconventional'
    : violations.length > 0
      ? 'invariant-violation'
      : positionOf(lastVerb);
  const existing = entries.filter((e) => e.commit.sha !== null);
  if (!ctx.resetPoint || ctx.planningEnd >= existing.length) {
    return { violations, entries, position, lastVerb, replay: [] };
  }
  return {
    violations,
    entries,
    position,
    lastVerb,
    resetPoint: ctx.resetPoint,
    replay: replayOrder(existing.slice(ctx.planningEnd)),
  };
}

/**
 * The order the commits after the planning layer are replayed in: `plan` commits first (they
 * belong to the planning layer), then the others as they were.
 * @param after the commits after the reset point, oldest first
 * @returns the commits to replay
 */
function replayOrder(after: JudgedEntry[]): JudgedCommit[] {
  const isPlan = (e: JudgedEntry): boolean =>
    !e.commit.merge && e.subject.kind === 'c2' && e.subject.verb === 'plan';
  return [...after.filter(isPlan), ...after.filter((e) => !isPlan(e))].map((e) => e.commit);
}

function positionOf(verb: Verb | undefined): Position {
  switch (verb) {
    case undefined:
      return 'empty';
    case 'plan':
      return 'planning';
    case 'impl':
      return 'mid-cycle';
    case 'close':
      return 'between-cycles';
    case 'finalize':
      return 'finalized';
  }
}

export { short };
