import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Reads a process's start time (clock ticks since boot, field 22 of `/proc/<pid>/stat`). Together
 * with the pid it names one process: a reused pid has a different start time.
 * @param pid process id
 * @returns the start time as a decimal string, or undefined when the process does not exist (or
 *   there is no `/proc`)
 */
export function processStartTime(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat?.start;
}

interface Stat {
  pgrp: number;
  start: string;
  state: string;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), fields[2] field 5 (pgrp), fields[19] field 22 (starttime).
  const state = fields[0] ?? '';
  const pgrp = Number(fields[2]);
  const start = fields[19];
  if (start === undefined || Number.isNaN(pgrp)) return undefined;
  return { pgrp, start, state };
}

/** Whether `/proc` can tell process start times (Linux). */
export function hasProcfs(): boolean {
  return readStat(process.pid) !== undefined;
}

/**
 * Whether the process `pid` that started at `start` still runs (a zombie counts as gone).
 * @param pid process id
 * @param start start time recorded by {@link processStartTime}; without one only the pid is checked
 * @returns true when that very process is alive
 */
export function isProcessAlive(pid: number, start?: string): boolean {
  const stat = readStat(pid);
  if (stat) return stat.state !== 'Z' && (start === undefined || stat.start === start);
  if (hasProcfs()) return false;
  return signalZero(pid);
}

/**
 * Whether the process group led by `pgid` (a block started with its own group) still has a live
 * member. When the leader lives, its start time must match `leaderStart` (else the pid was reused
 * and the old group is gone: Linux never reuses a pid that still names a process group). When the
 * leader is gone, any process still in the group keeps it alive.
 * @param pgid process-group id (the leader's pid)
 * @param leaderStart the leader's start time as recorded
 * @returns true when the group still has live members
 */
export function isGroupAlive(pgid: number, leaderStart?: string): boolean {
  const leader = readStat(pgid);
  if (leader && leader.state !== 'Z') {
    return leaderStart === undefined || leader.start === leaderStart;
  }
  // The leader is gone; its group id cannot be taken by a new group while members remain. The
  // signal test is cheap and settles the usual case (group gone); zombies (orphans nobody reaped
  // yet) still count for it, so a live group is confirmed by its members' state.
  return signalZero(-pgid) && groupMembers(pgid).length > 0;
}

/**
 * Lists the live processes of a process group.
 * @param pgid process-group id
 * @returns their pids (empty when the group is gone)
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalZero(-pgid) ? [pgid] : [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (st && st.pgrp === pgid && st.state !== 'Z') out.push(Number(e));
  }
  return out;
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sends a signal to every process of a group, ignoring a group that is already gone.
 * @param pgid process-group id
 * @param signal the signal
 * @returns true when the signal was delivered
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a whole process group: SIGTERM, then SIGKILL for whatever is left after `graceMs`.
 * @param pgid process-group id
 * @param leaderStart the leader's recorded start time (guards against a reused pid)
 * @param graceMs how long to wait after SIGTERM
 * @returns whether SIGKILL was needed
 */
export async function killGroup(
  pgid: number,
  leaderStart: string | undefined,
  graceMs: number,
): Promise<boolean> {
  if (!isGroupAlive(pgid, leaderStart)) return false;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pgid, leaderStart)) return false;
    await sleep(50);
  }
  if (!isGroupAlive(pgid, leaderStart)) return false;
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 40 && isGroupAlive(pgid, leaderStart); i++) {
    await sleep(25);
  }
  return true;
}
