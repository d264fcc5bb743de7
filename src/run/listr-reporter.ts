import {
  type DefaultRenderer,
  Listr,
  ListrLogger,
  type ListrTaskWrapper,
  PRESET_TIMER,
  ProcessOutput,
  type SimpleRenderer,
} from 'listr2';
import type { Paint } from '../render/paint.ts';
import { type BlockResult, formatMs } from './execute-block.ts';
import { describeState } from './format-plan.ts';
import { summarize } from './plain-reporter.ts';
import type { PlannedBlock, PlannedCard, RunPlan } from './plan-run.ts';
import type { RunReporter, RunResult } from './run-cards.ts';

type Wrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

type Settle = { kind: 'skip'; why: string } | { kind: 'ok' } | { kind: 'fail'; why: string };

interface Slot {
  settle: (s: Settle) => void;
  settled: Promise<Settle>;
  task?: Wrapper;
  /** Output that arrived before the task started rendering. */
  pending: string;
  lastLine: string;
}

/**
 * Reports a run on a terminal with listr2: cards as tasks, blocks as subtasks with a spinner,
 * elapsed time, and the last lines of the running block's output. The executor drives it: each
 * block task waits for the executor to say how the block ended.
 */
export class ListrReporter implements RunReporter {
  private readonly slots = new Map<PlannedBlock, Slot>();
  private running?: Promise<unknown>;
  private readonly started = Date.now();
  private readonly notes: string[] = [];
  /** The block task on screen now, and what to add to its title (a signal being handled). */
  private current?: { task: Wrapper; name: string; since: number };
  private stopping = '';

  /**
   * @param out the terminal
   * @param paint colours
   */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly paint: Paint,
  ) {}

  /** @inheritdoc */
  plan(plan: RunPlan, info: { runId?: string; dryRun: boolean }): void {
    for (const w of plan.warnings) this.out.write(this.paint.yellow(`warning: ${w}\n`));
    this.out.write(
      `${this.paint.bold(`mikado run ${plan.target}`)} (profile ${plan.profile}, run ${info.runId})\n`,
    );
    const cards = plan.cards.filter((pc) => pc.included && pc.blocks.length > 0);
    if (!plan.blocks.some((b) => b.state === 'run')) return;
    for (const pb of plan.blocks) {
      let settle!: (s: Settle) => void;
      const settled = new Promise<Settle>((r) => {
        settle = r;
      });
      this.slots.set(pb, { settle, settled, pending: '', lastLine: '' });
    }
    const listr = new Listr<unknown, 'default', 'simple'>(
      cards.map((pc) => ({
        title: `${pc.card.stem} ${this.paint.dim(pc.card.path)}`,
        task: (_ctx: unknown, task: Wrapper) =>
          task.newListr(
            pc.blocks.map((pb) => ({
              title: pb.block.name,
              task: async (_c: unknown, t: Wrapper) => {
                const slot = this.slots.get(pb)!;
                slot.task = t;
                if (slot.pending) this.show(slot, slot.pending);
                // The elapsed time while the block runs (listr2's timer shows it only at the end).
                this.current = { task: t, name: pb.block.name, since: Date.now() };
                const tick = setInterval(() => this.retitle(), 1000);
                const s = await slot.settled.finally(() => clearInterval(tick));
                this.current = undefined;
                t.title = pb.block.name;
                if (s.kind === 'skip') t.skip(`${pb.block.name}: ${s.why}`);
                else if (s.kind === 'fail') throw new Error(`${pb.block.name}: ${s.why}`);
              },
              rendererOptions: { outputBar: 5, persistentOutput: false },
            })),
            { concurrent: false, exitOnError: true },
          ),
      })),
      {
        concurrent: false,
        exitOnError: true,
        registerSignalListeners: false,
        rendererOptions: {
          timer: PRESET_TIMER,
          collapseSubtasks: false,
          collapseSkips: false,
          logger: new ListrLogger({
            processOutput: new ProcessOutput(
              this.out as NodeJS.WriteStream,
              this.out as NodeJS.WriteStream,
            ),
          }),
        },
      },
    );
    this.running = listr.run().catch(() => undefined);
  }

  private retitle(): void {
    const c = this.current;
    if (!c) return;
    const elapsed = this.paint.dim(formatMs(Math.floor((Date.now() - c.since) / 1000) * 1000));
    c.task.title = `${c.name} ${elapsed}${this.stopping ? ` ${this.paint.yellow(this.stopping)}` : ''}`;
  }

  /**
   * Says on the live view, at once and without breaking its frame, that a signal is being handled
   * (a direct write to the terminal would leave a copy of the frame behind). The text is printed
   * again after the view ends.
   * @param title a few words for the running block's title
   * @param text the full message
   */
  interrupting(title: string, text: string): void {
    this.stopping = title;
    this.notes.push(this.paint.yellow(text));
    if (this.current) this.retitle();
    else this.out.write(`${text}\n`);
  }

  /** @inheritdoc */
  note(text: string, level: 'info' | 'warn'): void {
    const line = level === 'warn' ? this.paint.yellow(`warning: ${text}`) : text;
    if (this.running) this.notes.push(line);
    else this.out.write(`${line}\n`);
  }

  /** @inheritdoc */
  cardStart(_card: PlannedCard): void {}

  /** @inheritdoc */
  blockSkip(block: PlannedBlock): void {
    this.slots.get(block)?.settle({ kind: 'skip', why: describeState(block, false) });
  }

  /** @inheritdoc */
  blockStart(_block: PlannedBlock, _log: string): void {}

  /** @inheritdoc */
  output(block: PlannedBlock, text: string): void {
    const slot = this.slots.get(block);
    if (!slot) return;
    if (!slot.task) {
      slot.pending += text;
      return;
    }
    this.show(slot, text);
  }

  private show(slot: Slot, text: string): void {
    const lines = (slot.lastLine + text).split('\n');
    slot.lastLine = lines.pop() ?? '';
    for (const l of lines) slot.task!.output = l;
    if (slot.lastLine) slot.task!.output = slot.lastLine;
  }

  /** @inheritdoc */
  blockEnd(block: PlannedBlock, result: BlockResult): void {
    const slot = this.slots.get(block);
    if (!slot) return;
    if (result.outcome === 'succeeded') slot.settle({ kind: 'ok' });
    else slot.settle({ kind: 'fail', why: result.reason ?? result.outcome });
  }

  /** @inheritdoc */
  async end(result: RunResult): Promise<void> {
    for (const slot of this.slots.values()) slot.settle({ kind: 'skip', why: 'not run' });
    await this.running;
    this.running = undefined;
    for (const n of this.notes) this.out.write(`${n}\n`);
    this.out.write(summarize(result, this.paint, Date.now() - this.started));
  }
}
