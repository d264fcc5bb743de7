import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { MikadoError } from '../errors.ts';
import { shellQuote } from '../shell-quote.ts';
import { validateJournalRecord } from './journal-schema.ts';
import type { BlockAttempt, BlockRef, JournalRecord } from './journal-types.ts';

/**
 * Where a profile's journal lives: `<root>/.mikado/journal/<profile>.jsonl`.
 * @param root repository root
 * @param profile profile name
 * @returns absolute path
 */
export function journalPath(root: string, profile: string): string {
  return path.join(root, '.mikado', 'journal', `${profile}.jsonl`);
}

/**
 * The key of a block in maps built from the journal.
 * @param ref card stem and block name
 * @returns `stem/name`
 */
export function blockKey(ref: BlockRef): string {
  return `${ref.card}/${ref.block}`;
}

/**
 * Appends one record as a JSON line and flushes it to disk (fsync) before returning. One `write`
 * with `O_APPEND` places the line whole at the end even when another process appends too. If the
 * file ends in a line cut short by a crash, a newline is written first so the new record stays
 * readable.
 * @param file journal path (created with its directory when missing)
 * @param record the record
 */
export function appendJournalRecord(file: string, record: JournalRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a+');
  try {
    let line = `${JSON.stringify(record)}\n`;
    const { size } = fstatSync(fd);
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) line = `\n${line}`;
    }
    writeSync(fd, line);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A journal line that is not a record. */
export interface DamagedLine {
  /** 1-based line number (NaN when read from an offset). */
  line: number;
  /** What is wrong with it. */
  why: string;
}

/** What {@link readJournal} found. */
export interface JournalContents {
  records: JournalRecord[];
  /**
   * Lines that are not records of the journal's schema: a corrupt journal. A line cut short by a
   * crash (an unfinished JSON record, also when a later append followed it) is not reported.
   */
  damaged: DamagedLine[];
  /** Lines cut short by a crash, ignored (warnings for the operator). */
  warnings: string[];
  /** Bytes read (to continue from with `offset`). */
  size: number;
}

/**
 * Reads a journal. A line cut short by a crash (the last line without its newline, or an
 * unfinished JSON record that a later append closed with a newline) is ignored with a warning;
 * any other line that is not a record of the schema is reported in `damaged`.
 * @param file journal path; a missing file reads as empty
 * @param offset byte offset to start from (for reading only what was appended since)
 * @returns the records, the damaged lines, warnings and the size read
 * @throws JournalError when the journal cannot be read as a file
 */
export function readJournal(file: string, offset = 0): JournalContents {
  let buf: Buffer;
  try {
    buf = offset === 0 ? readFileSync(file) : readFrom(file, offset);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { records: [], damaged: [], warnings: [], size: offset };
    }
    throw new JournalError(
      `${file}: Unexpected ${(error as NodeJS.ErrnoException).code ?? String(error)} reading the journal, expected a readable file`,
      {
        fix: `Look at what is there (\`ls -la ${shellQuote(file)}\`); move it aside (\`mv ${shellQuote(file)} ${shellQuote(`${file}.unreadable`)}\`) to start a new journal, in which every block counts as never run.`,
      },
    );
  }
  const lines = buf.toString('utf8').split('\n');
  // The piece after the last newline is a line still being written or cut short: not ours yet.
  const tail = lines.pop() ?? '';
  const size = offset + buf.length - Buffer.byteLength(tail);
  const records: JournalRecord[] = [];
  const damaged: DamagedLine[] = [];
  const warnings: string[] = [];
  let lineNo = offset === 0 ? 0 : Number.NaN;
  for (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (cutShort(line, error)) warnings.push(tornWarning(file, lineNo));
      else damaged.push({ line: lineNo, why: 'not JSON' });
      continue;
    }
    const checked = validateJournalRecord(value);
    if (checked.record) records.push(checked.record);
    else damaged.push({ line: lineNo, why: checked.problem });
  }
  return { records, damaged, warnings, size };
}

/** A journal that cannot be trusted (exit 2). */
export class JournalError extends MikadoError {}

/**
 * The refusal for a journal with damaged lines: where they are, how to look at them and how to
 * remove them (keeping a backup), rather than running completed blocks again.
 * @param file the journal
 * @param damaged its damaged lines
 * @returns the error
 */
export function corruptJournal(file: string, damaged: DamagedLine[]): JournalError {
  const shown = damaged.slice(0, 5).map((d) => `${file}:${d.line}: ${d.why}`);
  if (damaged.length > 5) shown.push(`... and ${damaged.length - 5} more`);
  const script = damaged.map((d) => `${d.line}`).join(',');
  const sed = damaged.map((d) => `${d.line}d`).join(';');
  return new JournalError(
    `Unexpected damaged journal: ${damaged.length} line(s) are not journal records, expected one JSON record per line (running on could repeat blocks that already succeeded):\n  ${shown.join('\n  ')}`,
    {
      fix: `Look at them (\`awk 'NR==${script.split(',').join(' || NR==')}' ${shellQuote(file)}\`), then remove them, keeping a backup (\`sed -i.bak '${sed}' ${shellQuote(file)}\`), and run again.`,
    },
  );
}

/** Whether a line that does not parse is a JSON record cut short (a crash during a write). */
function cutShort(line: string, error: unknown): boolean {
  if (!line.startsWith('{"v":')) return false;
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end|Unterminated/.test(message)) return true;
  const at = /at position (\d+)/.exec(message);
  return at !== null && Number(at[1]) >= line.length;
}

function tornWarning(file: string, line: number): string {
  const where = Number.isNaN(line) ? '' : `:${line}`;
  return `${file}${where}: Unexpected journal line cut short (a crash while it was written), expected a whole record (ignored)`;
}

function readFrom(file: string, offset: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const length = Math.max(0, fstatSync(fd).size - offset);
    const buf = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buf, read, length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** A value kept with `mikado.set`. */
export interface StoredValue extends BlockRef {
  value: unknown;
  at: string;
}

/** The journal folded into the state of every block and the kept values. */
export interface JournalState {
  /** Latest attempt per block key ({@link blockKey}). */
  latest: Map<string, BlockAttempt>;
  /** Every attempt per block key, oldest first. */
  history: Map<string, BlockAttempt[]>;
  /** `mikado.set` values, the last one per key. */
  values: Map<string, StoredValue>;
  /** The last run's id, start time and profile target, if any. */
  lastRun?: { run: string; at: string; target: string; outcome?: string; endedAt?: string };
}

/**
 * Folds journal records into per-block state. A block's end record (from the runner) decides how
 * it ended; without one, the block's own exit record does; without either, it is `running` (the
 * caller checks whether its process group still lives, else it was interrupted).
 * @param records records in journal order
 * @returns the folded state
 */
export function foldJournal(records: JournalRecord[]): JournalState {
  const state: JournalState = { latest: new Map(), history: new Map(), values: new Map() };
  foldInto(state, records);
  return state;
}

/**
 * Folds more records into an existing state (records appended since it was built).
 * @param state the state to update
 * @param records the new records, in journal order
 */
export function foldInto(state: JournalState, records: JournalRecord[]): void {
  for (const r of records) {
    switch (r.type) {
      case 'run-start':
        state.lastRun = { run: r.run, at: r.at, target: r.target };
        break;
      case 'run-end':
        if (state.lastRun?.run === r.run) {
          state.lastRun.outcome = r.outcome;
          state.lastRun.endedAt = r.at;
        }
        break;
      case 'set':
        state.values.set(r.key, { card: r.card, block: r.block, value: r.value, at: r.at });
        break;
      case 'block-start': {
        const attempt: BlockAttempt = {
          card: r.card,
          block: r.block,
          run: r.run,
          hash: r.hash,
          outcome: 'running',
          startedAt: r.at,
          pid: r.pid,
          pgid: r.pgid,
          procStart: r.procStart,
          host: r.host,
          log: r.log,
        };
        const key = blockKey(r);
        state.latest.set(key, attempt);
        const list = state.history.get(key) ?? [];
        list.push(attempt);
        state.history.set(key, list);
        break;
      }
      case 'block-exit': {
        const a = findAttempt(state, r, r.run);
        if (a && a.outcome === 'running') {
          a.outcome = r.outcome;
          a.endedAt = r.at;
          a.selfReported = true;
          if (r.error) a.reason = r.error;
        }
        break;
      }
      case 'block-end': {
        let a = findAttempt(state, r, r.run);
        if (!a) {
          // The process never got to write its start (it failed to start): record the end alone.
          a = { card: r.card, block: r.block, run: r.run, hash: r.hash, outcome: r.outcome };
          const key = blockKey(r);
          state.latest.set(key, a);
          const list = state.history.get(key) ?? [];
          list.push(a);
          state.history.set(key, list);
        }
        a.outcome = r.outcome;
        a.endedAt = r.at;
        a.exitCode = r.exitCode;
        a.signal = r.signal;
        a.durationMs = r.durationMs;
        a.log = r.log;
        a.selfReported = false;
        a.reason = r.reason ?? (r.outcome === 'succeeded' ? undefined : a.reason);
        break;
      }
    }
  }
}

function findAttempt(state: JournalState, ref: BlockRef, run: string): BlockAttempt | undefined {
  const list = state.history.get(blockKey(ref));
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i]!.run === run) return list[i];
  }
  return undefined;
}

/**
 * Creates `<root>/.mikado/` with a `.gitignore` of `*`, so the journal, logs and locks stay out
 * of git even where the repository does not ignore `.mikado/`.
 * @param root repository root
 */
export function ensureStateDir(root: string): void {
  const dir = path.join(root, '.mikado');
  mkdirSync(dir, { recursive: true });
  const ignore = path.join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# mikado run state: journal, logs, locks\n*\n');
}
