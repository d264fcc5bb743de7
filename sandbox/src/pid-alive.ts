/**
 * Whether a process with this id exists (`kill(pid, 0)`): true when the signal could be sent, or
 * when it could not only because the process belongs to another user (`EPERM`).
 * @param pid process id
 * @returns true when the process exists
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
