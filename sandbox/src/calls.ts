import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxPaths } from './paths.ts';

/** One recorded stand-in call (`calls.jsonl`). */
export interface SandboxCall {
  /** Unique id of the call. */
  id: string;
  /** `kubectl`, `argocd`, `tailscale`, `borgmatic`, `mise`, `nvidia-smi`. */
  tool: string;
  /** Arguments after the tool name. */
  argv: string[];
  /** Working directory. */
  cwd: string;
  /** Process id of the stand-in (the shim's process, also when the controller answered it). */
  pid: number;
  /**
   * Where the call ran: in its own Node process, or in the sandbox controller, to which the shim's
   * client handed it (see `stand-in-server.ts`).
   */
  via: 'process' | 'controller';
  /** ISO time the call started. */
  start: string;
  /** ISO time it ended (absent while running or if it was killed). */
  end?: string;
  /** Exit code (absent while running or if it was killed). */
  exitCode?: number;
  /** Manifest text read from standard input (`apply -f -`). */
  stdin?: string;
  /** Objects the call changed or read, as `context:kind/namespace/name`. */
  objects?: string[];
  /** The kube context the call addressed, if any. */
  context?: string;
  /** Pod an in-pod stand-in ran in (`nvidia-smi`). */
  pod?: string;
  /** Free-form facts the stand-in recorded (mounts, resolved hosts, backups). */
  notes?: string[];
}

/** A call being recorded: add facts, then finish it. */
export interface CallRecorder {
  /** The call record so far. */
  readonly call: SandboxCall;
  /**
   * Adds facts to the record.
   * @param fields fields to merge (arrays append)
   */
  add(fields: Partial<Pick<SandboxCall, 'stdin' | 'objects' | 'context' | 'pod' | 'notes'>>): void;
  /**
   * Writes the end of the call.
   * @param exitCode the exit code
   */
  finish(exitCode: number): void;
}

function append(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  // One write per line: O_APPEND keeps concurrent writers' lines whole.
  appendFileSync(file, `${JSON.stringify(value)}\n`);
}

/** Who made a call, as {@link recordCall} records it. */
export interface Caller {
  /** Working directory. */
  cwd: string;
  /** Its environment (`MIKADO_SANDBOX_POD` names the pod an in-pod stand-in runs in). */
  env: NodeJS.ProcessEnv;
  /** The process id of the stand-in. */
  pid: number;
  /** Where the call runs. */
  via: SandboxCall['via'];
}

/**
 * Starts recording a stand-in call: appends a start line to `<dir>/calls.jsonl` at once (so a
 * long-running `port-forward` is visible), and an end line on `finish`.
 * @param dir sandbox directory
 * @param tool the stand-in
 * @param argv its arguments
 * @param caller who made the call
 * @returns the recorder
 */
export function recordCall(
  dir: string,
  tool: string,
  argv: string[],
  caller: Caller,
): CallRecorder {
  const file = sandboxPaths(dir).calls;
  const call: SandboxCall = {
    id: randomUUID(),
    tool,
    argv,
    cwd: caller.cwd,
    pid: caller.pid,
    via: caller.via,
    start: new Date().toISOString(),
  };
  const pod = caller.env['MIKADO_SANDBOX_POD'];
  if (pod) call.pod = pod;
  append(file, { phase: 'start', ...call });
  let finished = false;
  return {
    call,
    add(fields) {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue;
        const key = k as keyof typeof fields;
        if (Array.isArray(v)) {
          const prev = (call[key] as string[] | undefined) ?? [];
          (call as unknown as Record<string, unknown>)[key] = [...prev, ...v];
        } else (call as unknown as Record<string, unknown>)[key] = v;
      }
    },
    finish(exitCode) {
      if (finished) return;
      finished = true;
      call.end = new Date().toISOString();
      call.exitCode = exitCode;
      append(file, { phase: 'end', ...call });
    },
  };
}

/**
 * Reads the recorded calls, oldest first (start and end lines merged).
 * @param dir sandbox directory
 * @param filter only calls of this tool, and/or whose argv contains every given word
 * @returns the calls
 */
export function readSandboxCalls(
  dir: string,
  filter: { tool?: string; argvIncludes?: string[] } = {},
): SandboxCall[] {
  const file = sandboxPaths(dir).calls;
  if (!existsSync(file)) return [];
  const byId = new Map<string, SandboxCall>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let v: SandboxCall & { phase?: string };
    try {
      v = JSON.parse(line) as SandboxCall & { phase?: string };
    } catch {
      continue; // a torn last line
    }
    const { phase: _phase, ...call } = v;
    byId.set(call.id, { ...byId.get(call.id), ...call });
  }
  return [...byId.values()]
    .filter((c) => filter.tool === undefined || c.tool === filter.tool)
    .filter((c) => (filter.argvIncludes ?? []).every((w) => c.argv.includes(w)));
}

/** Something the emulated controllers did (`events.jsonl`). */
export interface SandboxEvent {
  time: string;
  context: string;
  /** `Kind/namespace/name`. */
  object: string;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
}

/**
 * Records a controller event.
 * @param dir sandbox directory
 * @param event the event (time filled in)
 */
export function recordEvent(dir: string, event: Omit<SandboxEvent, 'time'>): void {
  append(path.join(sandboxPaths(dir).dir, 'events.jsonl'), {
    time: new Date().toISOString(),
    ...event,
  });
}

/**
 * Reads the controller events, oldest first.
 * @param dir sandbox directory
 * @returns the events
 */
export function readSandboxEvents(dir: string): SandboxEvent[] {
  const file = path.join(sandboxPaths(dir).dir, 'events.jsonl');
  if (!existsSync(file)) return [];
  const out: SandboxEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as SandboxEvent);
    } catch {}
  }
  return out;
}
