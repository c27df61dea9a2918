/**
 * Whether a process with this pid runs on this host. Signal 0 checks existence without touching
 * the process; EPERM means it exists but is not ours. (A pid can be reused: callers say so.)
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
