import { createRequire } from 'node:module';
import type { Block, Card, Diagnostic } from '../cards/types.ts';

interface Job {
  card: Card;
  block: Block;
}

type Transform = typeof import('esbuild').transform;

const TOP_LEVEL_ONLY = /^\s*(?:import|export|declare)\b/m;

/**
 * Checks the TypeScript syntax of every ```` ```ts run ```` block with esbuild's transform (as
 * an ES module, so top-level `await` is fine), mapping errors to the card's own lines.
 *
 * esbuild answers one call in well under a millisecond of work but each call costs a round trip,
 * so blocks are checked together: each wrapped in its own `{ ... }` scope, all in one transform.
 * When that fails, the group is split in halves until the failing blocks are found, and those
 * are checked alone for exact positions. Blocks that must stay at the top level (`import`,
 * `export`, `declare`) or whose braces do not balance are always checked alone.
 * @param cards cards parsed in full
 * @returns the findings (rule `ts-syntax`) per card
 */
export async function checkSyntax(cards: Card[]): Promise<Map<Card, Diagnostic[]>> {
  const out = new Map<Card, Diagnostic[]>(cards.map((c) => [c, []]));
  const grouped: Job[] = [];
  const alone: Job[] = [];
  for (const card of cards) {
    for (const block of card.blocks) {
      (TOP_LEVEL_ONLY.test(block.code) || !balanced(block.code) ? alone : grouped).push({
        card,
        block,
      });
    }
  }
  if (grouped.length + alone.length === 0) return out;
  // require, not import: importing CommonJS from ESM makes Node lex esbuild's whole main file.
  const { transform } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const single = (job: Job): Promise<void> => checkOne(transform, job, out);
  const group = async (jobs: Job[]): Promise<void> => {
    if (jobs.length === 0) return;
    if (jobs.length === 1) return single(jobs[0]!);
    const code = jobs.map((j) => `{\n${j.block.code}\n}\n`).join('');
    try {
      await transform(code, { loader: 'ts', format: 'esm', target: 'esnext', logLevel: 'silent' });
    } catch {
      const half = Math.ceil(jobs.length / 2);
      await Promise.all([group(jobs.slice(0, half)), group(jobs.slice(half))]);
    }
  };
  // A few large groups keep esbuild's threads busy without flooding the pipe.
  const size = Math.max(50, Math.ceil(grouped.length / 8));
  const groups: Job[][] = [];
  for (let i = 0; i < grouped.length; i += size) groups.push(grouped.slice(i, i + size));
  await Promise.all(groups.map(group));
  for (let i = 0; i < alone.length; i += 16) await Promise.all(alone.slice(i, i + 16).map(single));
  return out;
}

async function checkOne(
  transform: Transform,
  job: Job,
  out: Map<Card, Diagnostic[]>,
): Promise<void> {
  const { card, block } = job;
  try {
    await transform(block.code, {
      loader: 'ts',
      format: 'esm',
      target: 'esnext',
      sourcefile: `${card.path}#${block.name}`,
      logLevel: 'silent',
    });
  } catch (error) {
    const errors =
      (error as { errors?: { text: string; location: { line: number; column: number } | null }[] })
        .errors ?? [];
    for (const e of errors.slice(0, 3)) {
      out.get(card)!.push({
        path: card.path,
        line: block.codeLine + (e.location?.line ?? 1) - 1,
        column: (e.location?.column ?? 0) + 1,
        severity: 'error',
        rule: 'ts-syntax',
        message: `${e.text} (in block \`${block.name}\`)`,
        fix: 'Fix the TypeScript in the block; it must parse before `mikado run` can run it.',
      });
    }
  }
}

/** Braces that never close more than they opened and end even: the block cannot break its wrapper. */
function balanced(code: string): boolean {
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code.charCodeAt(i);
    if (ch === 123) depth++;
    else if (ch === 125 && --depth < 0) return false;
  }
  return depth === 0;
}
