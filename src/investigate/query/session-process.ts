import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../../recorder/sessions/process-alive.js';
import type { SessionManifest } from './log-set.js';

/** The session's process as seen from here, for a session that did not end: only its own host can tell. */
export interface ProcessState {
  readonly pid: number;
  readonly host: string;
  /** Whether a process with that pid runs now (it may be a reused pid); null on another host. */
  readonly alive: boolean | null;
  /** When the running process started (from /proc), or null when that cannot be read here. */
  readonly startedAt: string | null;
  /** The running process started after the session did: another process got the pid. */
  readonly reused: boolean;
  /**
   * Stopped by a signal (SIGSTOP, Ctrl-Z: state T in /proc): alive, yet it runs nothing, its
   * watchdog included, until SIGCONT. A hang by any other name; only /proc tells them apart.
   */
  readonly stopped: boolean;
  /** The pid is a zombie (killed or exited, its parent has not reaped it yet): dead, so `alive` is false. */
  readonly zombie?: boolean;
}

/**
 * Linux only, from /proc/<pid>/stat: when the process started (clock ticks since boot, with
 * /proc/stat's btime), whether a signal stopped it (state T, or t under a debugger), and whether it
 * is dead: a zombie (Z: exited or killed, not yet reaped by its parent, which a supervisor that
 * sleeps or hangs may never do) or being torn down (X). kill(pid, 0) succeeds for both.
 */
function processStat(pid: number): { startMs: number | null; stopped: boolean; dead: boolean } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux build that matters; Node cannot ask sysconf.
    const startMs = Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
    return { startMs, stopped: fields[0] === 'T' || fields[0] === 't', dead: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    return null;
  }
}

/** Boot time is whole seconds, and the clock may have been stepped: a second of slack either way. */
const START_SLACK_MS = 2000;

/**
 * The manifest's process as seen from here (undefined when the manifest names no pid and host).
 * `sessionStart` (its SESSION_START, else the manifest's start) tells the bot from a process that
 * got its pid later. Used by health for its verdicts, and by every query to tell a line a running
 * bot is writing from a dead bot's torn one (written-tail.ts).
 */
export function processState(manifest: SessionManifest | undefined, sessionStart: string | undefined): ProcessState | undefined {
  const pid = manifest?.pid;
  const host = manifest?.host;
  if (typeof pid !== 'number' || typeof host !== 'string') return undefined;
  if (host !== hostname()) return { pid, host, alive: null, startedAt: null, reused: false, stopped: false };
  const exists = processAlive(pid);
  const found = exists ? processStat(pid) : null;
  // A zombie holds its pid (and its /proc entry) until reaped, yet runs nothing and writes nothing.
  const zombie = found?.dead === true;
  const stat = zombie ? null : found;
  const alive = exists && !zombie;
  const startMs = stat?.startMs ?? null;
  const sessionMs = sessionStart ? Date.parse(sessionStart) : Number.NaN;
  const reused = startMs !== null && Number.isFinite(sessionMs) && startMs > sessionMs + START_SLACK_MS;
  return { pid, host, alive, startedAt: startMs === null ? null : new Date(startMs).toISOString(), reused, stopped: !reused && stat?.stopped === true, ...(zombie ? { zombie } : {}) };
}

/** Whether the session's own process runs on this host now (a stopped one included: it still owns its files). */
export function runsHere(state: ProcessState | undefined): boolean {
  return state?.alive === true && !state.reused;
}

/** What a process stopped by a signal means and how to resume it, as health and the heartbeat alert say it. */
export function stoppedBySignal(pid: number): string {
  return `STOPPED by a signal (SIGSTOP, or Ctrl-Z in its terminal): it runs nothing, not even its watchdog, until \`kill -CONT ${pid}\` (or \`fg\` in that terminal)`;
}
