import type { CardGraph } from '../graph/build-graph.ts';
import { shellQuote } from '../shell-quote.ts';
import { cardStem } from './card-matcher.ts';
import type { BranchResume, NextStep, ResumeCommit, WorkTree } from './resume.ts';
import { namedStem } from './subject.ts';

const RUN_BLOCK = /^ {0,3}(`{3,}|~{3,})\s*ts\s+run\b/m;

/**
 * What to do next on a Mikado branch: a command that runs as printed (no placeholders), or null
 * with the reason when only a person can decide (a conflict, a violation only a rebase mends).
 * The order: a reset or replay in progress, violations, a discovery in the work tree (new or
 * changed cards: the plan goes to the end of the planning layer), uncommitted work, then the
 * Mikado cycle itself (work on a ready leaf, close the card the cycle worked on, finalize).
 * @param r the report so far
 * @param graph the cards as they are in the work tree
 * @param tree what is uncommitted
 * @returns the next step
 */
export function nextStep(r: BranchResume, graph: CardGraph, tree: WorkTree): NextStep {
  const { stem, branch } = r;
  if (r.notStarted) {
    return {
      command: `git switch -c ${branch} ${r.base.name}`,
      why: `The chain \`${stem}\` has no branch yet: start it from \`${r.base.name}\`.`,
    };
  }
  if (!r.current) {
    return {
      command: `git switch ${branch}`,
      why: `Resume on the chain's branch, then run \`mikado view --resume\` there.`,
    };
  }
  const replay = replayStep(r, tree);
  if (replay) return replay;
  const bad = violationStep(r);
  if (bad) return bad;
  const plan = planStep(r, graph, tree);
  if (plan) return plan;
  if (r.position === 'finalized') {
    return r.pullRequest
      ? {
          command: `open ${r.pullRequest.url}`,
          why: `The chain is finalized; pull request #${r.pullRequest.number} is open.`,
        }
      : {
          command: `git push -u origin ${branch}`,
          why: 'The chain is finalized: push it and open a pull request.',
        };
  }
  if (!r.goal.branch) {
    return {
      command: `git add -- ${shellQuote(r.goal.path)} && mikado plan ${stem}`,
      why: `Set \`branch: ${branch}\` in ${r.goal.path} first, then commit the plan.`,
    };
  }
  const active = graph.chain(stem).members.filter((s) => graph.cards.get(s)?.status === 'active');
  if (active.length === 0) {
    const cards = tree.cardsRel === '' ? '.' : shellQuote(tree.cardsRel);
    return {
      command: `mikado finalize ${stem} && git add -u -- ${cards} && git commit -m ${shellQuote(`C2(${stem}): finalize ${stem}`)}`,
      why: 'Every card of the chain is complete: strip the Mikado frontmatter and finalize.',
    };
  }
  return cycleStep(r, graph, tree, active);
}

function replayStep(r: BranchResume, tree: WorkTree): NextStep | undefined {
  const replay = r.replay;
  if (!replay) return undefined;
  if (replay.conflicts.length > 0) {
    return {
      command: null,
      why: `The replay stopped on a conflict in ${replay.conflicts.join(', ')}: resolve it, \`git add\` the files, then run \`mikado replay --continue\` (or \`mikado replay --abort\` to put everything back).`,
    };
  }
  if (replay.stopped) {
    return {
      command: 'mikado replay --continue',
      why: 'The replay stopped and its conflicts are resolved: go on with the next commits.',
    };
  }
  if (tree.cards.length > 0) {
    const paths = tree.cards.map((c) => shellQuote(c.path)).join(' ');
    return {
      command: `git add -- ${paths} && git commit -m ${shellQuote(`C2(${r.stem}): plan ${planName(tree)}`)} && mikado replay`,
      why: `The branch is reset to the end of its planning layer: commit the new cards as the plan, then replay the ${replay.picks} recorded commits.`,
    };
  }
  return {
    command: 'mikado replay',
    why: `The branch is reset to the end of its planning layer: replay the ${replay.picks} recorded commits (and the stashed work).`,
  };
}

function violationStep(r: BranchResume): NextStep | undefined {
  if (r.position !== 'unconventional' && r.position !== 'invariant-violation') return undefined;
  const where = r.resetPoint ? ` (the reset point ${r.resetPoint.label})` : '';
  if (r.violations.some((v) => v.rule === 'plan-after-cycle' && v.commit !== null)) {
    return {
      command: 'mikado reset --apply && mikado replay',
      why: `A \`plan\` commit comes after a cycle: move it to the end of the planning layer${where} and replay the cycles after it.`,
    };
  }
  const first = r.violations[0];
  return {
    command: null,
    why: first
      ? `The branch breaks the Mikado Branch Invariant (\`${first.rule}\`: ${first.message}) Fix: ${first.fix}.`
      : 'The branch breaks the Mikado Branch Invariant: see `mikado hook check-branch`.',
  };
}

/** New or changed cards in the work tree: a discovery (or a close or finalize not committed). */
function planStep(r: BranchResume, graph: CardGraph, tree: WorkTree): NextStep | undefined {
  if (tree.cards.length === 0) return undefined;
  const closing = tree.cards.filter((c) => c.closed);
  if (closing.length === tree.cards.length) {
    const worked = cycleCards(r, graph);
    const ready = closing.find((c) => worked.includes(cardStem(c.path)) && isLeaf(graph, c.path));
    const paths = closing.map((c) => shellQuote(c.path)).join(' ');
    if (ready && closing.length === 1) {
      const s = cardStem(ready.path);
      return {
        command: `git commit -m ${shellQuote(`C2(${r.stem}): close ${s}`)} -- ${shellQuote(ready.path)}`,
        why: `\`${s}\` is completed in the work tree and this cycle worked on it: commit the close.`,
      };
    }
    return {
      command: `git restore -- ${paths}`,
      why: `${paths} lose \`status: active\` in the work tree, but no \`impl\` of this cycle worked on them (or they have open prerequisites): put the status back and work on them first.`,
    };
  }
  const paths = tree.cards.map((c) => shellQuote(c.path)).join(' ');
  return {
    command: `git add -- ${paths} && mikado plan ${shellQuote(planName(tree))}`,
    why: `New or changed cards in the work tree: a discovery. \`mikado plan\` commits them at the end of the planning layer${r.resetPoint ? ` (${r.resetPoint.label})` : ''} and replays the cycles after it; uncommitted work stays as it is.`,
  };
}

function cycleStep(r: BranchResume, graph: CardGraph, tree: WorkTree, active: string[]): NextStep {
  const { stem } = r;
  const worked = cycleCards(r, graph).filter((s) => active.includes(s));
  const ready = r.readyLeaves;
  const leaves = ready.filter((l) => l !== stem);
  // The prerequisites of the card this cycle works on come first (a discovered one, say).
  const wanted = worked.flatMap((s) => graph.cards.get(s)?.requires ?? []);
  const leaf =
    leaves.find((l) => wanted.includes(l)) ??
    worked.find((s) => ready.includes(s)) ??
    leaves[0] ??
    (ready.includes(stem) ? stem : undefined);
  if (tree.other > 0) {
    const card = worked[0] ?? leaf ?? stem;
    return {
      command: `git add -A && git commit -m ${shellQuote(`C2(${stem}): impl ${card}`)}`,
      why: `Uncommitted work (${tree.other} file${tree.other === 1 ? '' : 's'}): commit it as the implementation of \`${card}\`.`,
    };
  }
  const closable = r.position === 'mid-cycle' ? worked.find((s) => ready.includes(s)) : undefined;
  if (closable) {
    const path = graph.cards.get(closable)?.path ?? '';
    return {
      command: `mikado close ${closable} && git commit -m ${shellQuote(`C2(${stem}): close ${closable}`)} -- ${shellQuote(path)}`,
      why: `This cycle worked on \`${closable}\`: when it is done, close it (more work first: commit it as \`impl ${closable}\`; a new prerequisite: \`mikado new STEM --for ${closable}\`, then \`mikado plan\`).`,
    };
  }
  if (!leaf) {
    return {
      command: `mikado view ${stem}`,
      why: 'No card is ready: look at the chain (a cycle or a missing card blocks it).',
    };
  }
  const card = graph.cards.get(leaf);
  const subject = shellQuote(`C2(${stem}): impl ${leaf}`);
  if (card && RUN_BLOCK.test(card.body)) {
    return {
      command: `mikado run ${leaf} && git commit --allow-empty -m ${subject}`,
      why: `Run the ready leaf \`${leaf}\` (${card.path}) and record the cycle's \`impl\`; a new prerequisite found on the way: \`mikado new STEM --for ${leaf}\`, then \`mikado plan\`.`,
    };
  }
  return {
    command: `git add -A && git commit -m ${subject}`,
    why: `Implement the ready leaf \`${leaf}\` (${card?.path ?? leaf}), then run this to commit it; a new prerequisite found on the way: \`mikado new STEM --for ${leaf}\`, then \`mikado plan\`.`,
  };
}

/** The active cards named by the `impl` commits of the current cycle (since the last close). */
function cycleCards(r: BranchResume, graph: CardGraph): string[] {
  const out: string[] = [];
  for (let i = r.commits.length - 1; i >= 0; i--) {
    const c: ResumeCommit = r.commits[i]!;
    if (c.verb !== 'impl') break;
    const named = namedStem(c.subject.replace(/^C2\([^)]*\):\s*impl\s+/u, ''));
    if (graph.cards.get(named)?.status === 'active' && !out.includes(named)) out.push(named);
  }
  return out;
}

function isLeaf(graph: CardGraph, path: string): boolean {
  const card = graph.cards.get(cardStem(path));
  return (card?.requires ?? []).every(
    (s) => graph.cards.has(s) && graph.cards.get(s)?.status !== 'active',
  );
}

function planName(tree: WorkTree): string {
  const added = tree.cards.filter((c) => c.added);
  return (added.length > 0 ? added : tree.cards).map((c) => cardStem(c.path)).join(', ');
}
