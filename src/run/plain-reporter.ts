import type { Paint } from '../render/paint.ts';
import type { BlockResult } from './execute-block.ts';
import { formatMs } from './execute-block.ts';
import { countPlan, describeState, formatPlan } from './format-plan.ts';
import type { PlannedBlock, PlannedCard, RunPlan } from './plan-run.ts';
import type { RunReporter, RunResult } from './run-cards.ts';

/** Prefix of each line of a block's live output. */
export const OUTPUT_PREFIX = '  │ ';

/**
 * Reports a run as plain lines (CI, no terminal, `--json`): one line per card and block event,
 * block output prefixed with `  │ `.
 */
export class PlainReporter implements RunReporter {
  private atLineStart = true;
  private readonly started = Date.now();

  /**
   * @param out where progress and output go
   * @param paint colours
   */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly paint: Paint,
  ) {}

  /** @inheritdoc */
  plan(plan: RunPlan, info: { runId?: string; dryRun: boolean }): void {
    if (info.dryRun) {
      this.out.write(formatPlan(plan, this.paint));
      return;
    }
    const c = countPlan(plan);
    for (const w of plan.warnings) this.note(w, 'warn');
    this.out.write(
      `${this.paint.bold(`mikado run ${plan.target}`)} (profile ${plan.profile}, run ${info.runId}): ${c.run} to run, ${c.done} done${c.excluded ? `, ${c.excluded} before --from` : ''}\n`,
    );
  }

  /** @inheritdoc */
  note(text: string, level: 'info' | 'warn'): void {
    this.endLine();
    this.out.write(level === 'warn' ? this.paint.yellow(`warning: ${text}\n`) : `${text}\n`);
  }

  /** @inheritdoc */
  cardStart(card: PlannedCard): void {
    this.endLine();
    this.out.write(
      `${this.paint.bold(`── ${card.card.stem}`)} ${this.paint.dim(card.card.path)}\n`,
    );
  }

  /** @inheritdoc */
  blockSkip(block: PlannedBlock): void {
    this.out.write(this.paint.dim(`  skip ${block.block.name}: ${describeState(block, false)}\n`));
  }

  /** @inheritdoc */
  blockStart(block: PlannedBlock, log: string): void {
    this.out.write(
      `  ${this.paint.cyan('run')}  ${block.block.name} ${this.paint.dim(`(${block.card.path}:${block.block.line}, log ${log})`)}\n`,
    );
  }

  /** @inheritdoc */
  output(_block: PlannedBlock, text: string): void {
    let out = '';
    for (const ch of text.split(/(\n)/)) {
      if (ch === '') continue;
      if (this.atLineStart) out += this.paint.dim(OUTPUT_PREFIX);
      out += ch;
      this.atLineStart = ch === '\n';
    }
    this.out.write(out);
  }

  /** @inheritdoc */
  blockEnd(block: PlannedBlock, result: BlockResult): void {
    this.endLine();
    const took = formatMs(result.durationMs);
    if (result.outcome === 'succeeded') {
      this.out.write(`  ${this.paint.green('ok')}   ${block.block.name} ${this.paint.dim(took)}\n`);
    } else {
      this.out.write(
        `  ${this.paint.red(result.outcome.toUpperCase())} ${block.block.name}: ${result.reason ?? result.outcome} after ${took}\n`,
      );
    }
  }

  /** @inheritdoc */
  end(result: RunResult): void {
    this.endLine();
    this.out.write(summarize(result, this.paint, Date.now() - this.started));
  }

  private endLine(): void {
    if (!this.atLineStart) {
      this.out.write('\n');
      this.atLineStart = true;
    }
  }
}

/**
 * The closing lines of a run: what ran, or which block stopped it with the last lines of its
 * output and its log path.
 * @param result how the run ended
 * @param paint colours
 * @param elapsedMs how long the run took
 * @returns the text (empty for a dry run)
 */
export function summarize(result: RunResult, paint: Paint, elapsedMs: number): string {
  if (result.dryRun) return '';
  const ran = result.executed.length;
  const skipped = result.plan.blocks.filter((b) => b.state !== 'run').length;
  switch (result.outcome) {
    case 'nothing-to-run':
      return `nothing to run: ${skipped} block(s) already done or skipped\n`;
    case 'declined':
      return '';
    case 'succeeded':
      return paint.green(
        `done: ${ran} block(s) ran, ${skipped} skipped, in ${formatMs(elapsedMs)}\n`,
      );
    default: {
      const f = result.failed;
      if (!f) return paint.red(`${result.outcome}: stopped before the next block\n`);
      const lines = [
        paint.red(
          `${result.outcome === 'interrupted' ? 'interrupted' : 'failed'}: block \`${f.block}\` of ${f.path}:${f.line} ${f.reason ?? f.outcome} after ${formatMs(f.durationMs)}`,
        ),
      ];
      if (f.tail.length > 0) {
        lines.push(`last ${f.tail.length} line(s) of its output:`);
        for (const l of f.tail) lines.push(`${OUTPUT_PREFIX}${l}`);
      }
      lines.push(`log: ${f.log}`);
      const again = result.again ? `\`${result.again}\`` : 'the same command';
      lines.push(
        paint.dim(
          result.outcome === 'interrupted'
            ? `Run ${again} again: it resumes at this block.`
            : `Fix the cause and run ${again} again: it resumes at this block.`,
        ),
      );
      return `${lines.join('\n')}\n`;
    }
  }
}
