import type { BranchBase, ChangedPath } from './branch-history.ts';
import { type MikadoFields, readMikadoFields } from './card-fields.ts';
import { cardStem as stemOfCard } from './card-matcher.ts';
import { namedStem, parseSubject, type Subject, type Verb } from './subject.ts';

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
  | 'close-before-impl'
  | 'finalize-not-last'
  | 'finalize-open-cycle'
  | 'impl-changes-card'
  | 'plan-changes-code'
  | 'close-card'
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
   * Where `mikado reset` returns to: before the first violation, or else the last `plan` or
   * `close` before the current cycle's `impl` commits. Undefined when there is nothing to reset.
   */
  resetPoint?: ResetPoint;
  /** `impl` commits after the reset point that could be replayed (oldest first). */
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
 * @param input the commits, the branch stem and a way to read cards
 * @returns the violations, the branch position and the reset point
 */
export async function judgeBranch(input: JudgeInput): Promise<Verdict> {
  const { stem, commits, mode } = input;
  const violations: Violation[] = [];
  const entries: JudgedEntry[] = [];
  const branchName = `mikado/${stem}`;
  const firstBad: { index: number } = { index: Number.POSITIVE_INFINITY };
  const add = (index: number, v: Omit<Violation, 'commit' | 'subject'>): void => {
    const c = commits[index]!;
    violations.push({ commit: c.sha, subject: c.subject, ...v });
    // A missing goal card or an unsquashed fixup is fixed in place, not by a reset.
    if (v.rule === 'goal-card' || v.rule === 'fixup-unsquashed') return;
    if (index < firstBad.index) firstBad.index = index;
  };
  const resetPointBefore = (index: number): ResetPoint | undefined => {
    for (let j = Math.min(index, firstBad.index) - 1; j >= 0; j--) {
      const e = entries[j];
      if (e?.subject.kind !== 'c2') continue;
      if (e.subject.verb === 'plan' || e.subject.verb === 'close') {
        const sha = e.commit.sha!;
        return {
          sha,
          subject: e.commit.subject,
          label: `\`${e.commit.subject}\` at \`${short(sha)}\``,
        };
      }
    }
    return baseResetPoint(input.base);
  };
  const resetFix = (index: number, then: string): { fix: string; resetPoint?: ResetPoint } => {
    const rp = resetPointBefore(index);
    if (!rp) return { fix: then };
    return {
      fix: `run \`mikado reset\` to return to the reset point ${rp.label}, then ${then}`,
      resetPoint: rp,
    };
  };

  let lastVerb: Verb | undefined;
  let sawCycle = false;
  let finalizedAt: number | undefined;
  for (let i = 0; i < commits.length; i++) {
    const c = commits[i]!;
    const isNew = c.sha === null;
    const subject = parseSubject(c.subject);
    entries.push({ commit: c, subject });
    if (c.merge) {
      add(i, {
        rule: 'merge-commit',
        message: 'Unexpected merge commit, expected a linear Mikado branch (no merges).',
        ...(isNew
          ? {
              fix: `abort it with \`git merge --abort\` and rebase onto \`${input.base.name}\` instead`,
            }
          : resetFix(i, `rebase onto \`${input.base.name}\` instead of merging`)),
      });
      continue;
    }
    if (subject.kind === 'invalid') {
      add(i, {
        rule: 'subject-format',
        message: `${subject.reason}.`,
        ...(isNew
          ? { fix: `write the subject as \`C2(${stem}): plan|impl|close|finalize <description>\`` }
          : {
              fix: `reword it with \`git rebase -i ${short(c.sha!)}^\`, or run \`mikado reset\`${rpSuffix(resetPointBefore(i))}`,
              resetPoint: resetPointBefore(i),
            }),
      });
      continue;
    }
    if (subject.kind === 'fixup') {
      await judgeFixup(i, subject);
      continue;
    }
    if (subject.stem !== stem) {
      add(i, {
        rule: 'subject-stem',
        message: `Unexpected stem \`${subject.stem}\` in \`C2(${subject.stem})\`, expected \`${stem}\` (the branch is \`${branchName}\`).`,
        fix: isNew
          ? `write \`C2(${stem}): ${subject.verb} ${subject.description}\``
          : `reword it with \`git rebase -i ${short(c.sha!)}^\``,
      });
    }
    const verb = subject.verb;
    if (finalizedAt !== undefined) {
      add(i, {
        rule: 'finalize-not-last',
        message: `Unexpected \`${verb}\` after the \`finalize\` commit ${shaLabel(commits[finalizedAt]!)}: \`finalize\` comes last.`,
        ...resetFix(i, 'finalize again once the chain is done'),
      });
    } else if (verb === 'plan' && sawCycle) {
      add(i, {
        rule: 'plan-after-cycle',
        message:
          'Unexpected `plan` after `impl` or `close` commits: a new prerequisite needs a branch reset.',
        ...resetFix(i, isNew ? 'commit the plan there' : 'plan there'),
      });
    } else if (verb === 'close' && lastVerb !== 'impl' && lastVerb !== 'close') {
      add(i, {
        rule: 'close-before-impl',
        message: 'Unexpected `close` before an `impl` commit: a cycle implements, then closes.',
        ...(isNew
          ? { fix: `commit the implementation first as \`C2(${stem}): impl <description>\`` }
          : resetFix(i, 'implement before closing')),
      });
    } else if (verb === 'finalize' && lastVerb === 'impl') {
      add(i, {
        rule: 'finalize-open-cycle',
        message: 'Unexpected `finalize` right after `impl`: the cycle must close first.',
        ...(isNew
          ? {
              fix: `close the cycle's card first (\`mikado close <card>\`, then \`C2(${stem}): close <card>\`)`,
            }
          : resetFix(i, 'close the cycle before finalizing')),
      });
    }
    await judgeContent(i, verb, subject.description);
    if (verb === 'impl' || verb === 'close') sawCycle = true;
    if (verb === 'finalize' && finalizedAt === undefined) finalizedAt = i;
    lastVerb = verb;
  }

  await judgeGoal();

  const unconventional = violations.some((v) => UNCONVENTIONAL_RULES.includes(v.rule));
  const position: Position = unconventional
    ? 'unconventional'
    : violations.length > 0
      ? 'invariant-violation'
      : positionOf(lastVerb);
  const { resetPoint, replay } = branchReset();
  return { violations, entries, position, lastVerb, resetPoint, replay };

  async function judgeFixup(
    i: number,
    subject: Extract<Subject, { kind: 'fixup' }>,
  ): Promise<void> {
    if (mode === 'branch' && !input.allowFixups) {
      add(i, {
        rule: 'fixup-unsquashed',
        message: `Unexpected \`${subject.prefix}!\` commit in a branch ready to merge, expected it squashed into its target.`,
        fix: `squash it with \`git rebase -i --autosquash ${input.base.sha ? short(input.base.sha) : input.base.name}\``,
      });
    }
    const target = findFixupTarget(i, subject.target);
    if (!target) {
      add(i, {
        rule: 'fixup-target',
        message: `Unexpected \`${subject.prefix}! ${clip(subject.target)}\`: it matches no earlier commit of this branch.`,
        fix: `name an earlier commit of the branch: \`git commit --${subject.prefix === 'squash' ? 'squash' : 'fixup'}=<sha>\``,
      });
      return;
    }
    if (target.subject.kind === 'c2') {
      if (target.subject.verb === 'impl' || target.subject.verb === 'plan') {
        await judgeContent(i, target.subject.verb, target.subject.description, true);
      }
    }
  }

  function findFixupTarget(i: number, target: string): JudgedEntry | undefined {
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

  async function judgeContent(
    i: number,
    verb: Verb,
    description: string,
    asFixup = false,
  ): Promise<void> {
    const c = commits[i]!;
    const isNew = c.sha === null;
    const cardPaths = c.paths.filter((p) => input.isCard(p.path)).map((p) => p.path);
    const otherPaths = c.paths.filter((p) => !input.isCard(p.path)).map((p) => p.path);
    const what = asFixup ? `\`${verb}\` fixup` : `\`${verb}\` commit`;
    if (verb === 'impl' && cardPaths.length > 0) {
      add(i, {
        rule: 'impl-changes-card',
        message: `Unexpected card change in an ${what} (${list(cardPaths)}): cards change only in \`plan\`, \`close\` and \`finalize\` commits.`,
        ...(isNew
          ? {
              fix: `unstage the card (\`git restore --staged ${cardPaths.map(shellQuote).join(' ')}\`) and commit it separately; a new prerequisite needs \`mikado reset\`${rpSuffix(resetPointBefore(i))}`,
              resetPoint: resetPointBefore(i),
            }
          : resetFix(i, 'replay the implementation without the card change')),
      });
    } else if (verb === 'plan' && otherPaths.length > 0) {
      add(i, {
        rule: 'plan-changes-code',
        message: `Unexpected non-card change in a ${what} (${list(otherPaths)}): \`plan\` commits change only cards.`,
        ...(isNew
          ? {
              fix: `unstage them (\`git restore --staged ${otherPaths.slice(0, 3).map(shellQuote).join(' ')}${otherPaths.length > 3 ? ' ...' : ''}\`) and commit them later as \`impl\``,
            }
          : resetFix(i, 'commit only cards in the plan')),
      });
    } else if (verb === 'close' && !asFixup) {
      await judgeClose(i, c, description);
    } else if (verb === 'finalize' && !asFixup) {
      await judgeFinalize(i, c);
    }
  }

  async function judgeClose(i: number, c: JudgedCommit, description: string): Promise<void> {
    const isNew = c.sha === null;
    const named = namedStem(description);
    const rev = c.sha ?? '';
    const fix = (text: string): { fix: string; resetPoint?: ResetPoint } =>
      isNew
        ? { fix: text }
        : resetFix(
            i,
            text.replace(/^./, (ch) => ch.toLowerCase()),
          );
    const closeFix = `run \`mikado close ${named || '<card>'}\`, stage the card and commit \`C2(${stem}): close ${named || '<card>'}\``;
    const changedCards = c.paths.filter((p) => input.isCard(p.path));
    const closed: string[] = [];
    let namedClosed = false;
    let namedChanged = false;
    let namedProblem: string | undefined;
    for (const p of changedCards) {
      const cardStem = stemOfCard(p.path);
      const before = c.parent ? await fieldsAt(c.parent, p.path) : null;
      const after = await fieldsAt(rev, p.path);
      const wasActive = before?.status === 'active';
      const isActive = after?.status === 'active';
      if (cardStem === named) {
        namedChanged = true;
        if (wasActive && after && !isActive) namedClosed = true;
        else if (!before) namedProblem = `\`${p.path}\` is new in this commit`;
        else if (!wasActive) namedProblem = `\`${p.path}\` was not \`status: active\` before`;
        else if (!after) namedProblem = `it deletes \`${p.path}\` instead of completing it`;
        else namedProblem = `\`${p.path}\` still has \`status: active\``;
      } else if (wasActive && after && !isActive) {
        closed.push(cardStem);
      }
    }
    if (named === '') {
      add(i, {
        rule: 'close-card',
        message: 'Unexpected `close` without a card stem, expected `close <stem> ...`.',
        ...fix(closeFix),
      });
    } else if (!namedChanged) {
      const exists = await input.cards.findCard(rev, named);
      add(i, {
        rule: 'close-card',
        message: exists
          ? `Unexpected \`close ${named}\` that leaves card \`${exists}\` unchanged: a close removes its \`status: active\`.`
          : `Unexpected \`close ${named}\`: no card \`${named}\` exists, expected the stem of the card being closed.`,
        ...fix(closeFix),
      });
    } else if (!namedClosed) {
      add(i, {
        rule: 'close-card',
        message: `Unexpected \`close ${named}\`: ${namedProblem ?? 'the card is not completed'}.`,
        ...fix(closeFix),
      });
    }
    if (closed.length > 0) {
      add(i, {
        rule: 'close-card',
        message: `Unexpected completion of ${list(closed.map((s) => `\`${s}\``))} in \`close ${named}\`: one card per \`close\` commit, named in the subject.`,
        ...fix(`keep only \`${named}\` in this commit and close the others in their own commits`),
      });
    }
  }

  async function judgeFinalize(i: number, c: JudgedCommit): Promise<void> {
    const rev = c.sha ?? '';
    const chain = new Set<string>([stem]);
    if (c.parent) {
      const before = await input.cards.cardPaths(c.parent);
      const queue = [stem];
      while (queue.length > 0) {
        const batch = queue.splice(0);
        const fields = await Promise.all(
          batch.map((s) => {
            const path = before.get(s);
            return path ? fieldsAt(c.parent!, path) : Promise.resolve(null);
          }),
        );
        for (const f of fields) {
          for (const r of f?.requires ?? []) {
            if (!chain.has(r)) {
              chain.add(r);
              queue.push(r);
            }
          }
        }
      }
    }
    const after = await input.cards.cardPaths(rev);
    const left: string[] = [];
    for (const s of [...chain].sort()) {
      const path = after.get(s);
      if (!path) continue;
      const f = await fieldsAt(rev, path);
      const keys = ['status', 'requires', 'branch'].filter((k) => f?.keys.has(k));
      if (keys.length > 0) left.push(`\`${s}\` (${keys.map((k) => `\`${k}\``).join(', ')})`);
    }
    if (left.length > 0) {
      add(i, {
        rule: 'finalize-frontmatter',
        message: `Unexpected Mikado frontmatter left after \`finalize\`: ${list(left)}.`,
        ...(c.sha === null
          ? { fix: `run \`mikado finalize ${stem}\` and stage the cards` }
          : resetFix(i, `finalize again with \`mikado finalize ${stem}\``)),
      });
    }
  }

  async function judgeGoal(): Promise<void> {
    const last = commits.length - 1;
    // After `finalize` the goal keeps no `branch`; later commits are judged by finalize-not-last.
    if (last < 0 || finalizedAt !== undefined) return;
    const c = commits[last]!;
    const rev = c.sha ?? '';
    const path = await input.cards.findCard(rev, stem);
    const where = c.sha === null ? 'in this commit' : `at ${short(c.sha)}`;
    if (!path) {
      add(last, {
        rule: 'goal-card',
        message: `Unexpected missing goal card \`${stem}\` ${where}: a Mikado branch \`${branchName}\` needs the goal card \`${stem}.md\`.`,
        fix: `create it with \`mikado new ${stem} --goal\` and commit it as \`C2(${stem}): plan ${stem}\``,
      });
      return;
    }
    const f = await fieldsAt(rev, path);
    if (f?.branch !== branchName) {
      add(last, {
        rule: 'goal-card',
        message: f?.branch
          ? `Unexpected \`branch: ${f.branch}\` in goal card \`${path}\`, expected \`branch: ${branchName}\`.`
          : `Unexpected goal card \`${path}\` without \`branch\`, expected \`branch: ${branchName}\`.`,
        fix: `set \`branch: ${branchName}\` in \`${path}\` (in a \`plan\` commit)`,
      });
    }
  }

  function branchReset(): { resetPoint?: ResetPoint; replay: JudgedCommit[] } {
    const existing = entries.filter((e) => e.commit.sha !== null);
    let rp: ResetPoint | undefined;
    if (firstBad.index < existing.length) {
      rp = resetPointBefore(firstBad.index);
    } else {
      let k = existing.length - 1;
      while (k >= 0) {
        const e = existing[k]!;
        if (e.subject.kind === 'c2' && e.subject.verb !== 'impl') break;
        if (e.subject.kind !== 'c2' && e.subject.kind !== 'fixup') break;
        k--;
      }
      if (k === existing.length - 1) return { replay: [] };
      rp = resetPointBefore(k + 1);
    }
    if (!rp) return { replay: [] };
    const from = existing.findIndex((e) => e.commit.sha === rp!.sha);
    const replay = existing
      .slice(from + 1)
      .filter((e) => e.subject.kind === 'c2' && e.subject.verb === 'impl')
      .map((e) => e.commit);
    return { resetPoint: rp, replay };
  }

  async function fieldsAt(rev: string, path: string): Promise<MikadoFields | null> {
    const text = await input.cards.read(rev, path);
    return text === null ? null : readMikadoFields(text, path);
  }
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

function baseResetPoint(base: BranchBase): ResetPoint | undefined {
  if (!base.sha) return undefined;
  const name = base.fallback ? 'the branch start' : `\`${base.name}\``;
  return { sha: base.sha, label: `${name} at \`${short(base.sha)}\`` };
}

function rpSuffix(rp: ResetPoint | undefined): string {
  return rp ? ` (reset point ${rp.label})` : '';
}

function shaLabel(c: JudgedCommit): string {
  return c.sha ? `\`${short(c.sha)}\`` : 'this commit';
}

/**
 * A sha shortened to 7 characters.
 * @param sha a full sha
 * @returns the short sha
 */
export function short(sha: string): string {
  return sha.slice(0, 7);
}

function list(items: string[]): string {
  if (items.length <= 4) return items.join(', ');
  return `${items.slice(0, 4).join(', ')} and ${items.length - 4} more`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
