import { hostname } from 'node:os';
import { join } from 'node:path';
import { processState, runsHere } from '../../investigate/query/session-process.js';
import { readManifest } from '../../recorder/sessions/manifest.js';
import { SESSIONS_DIR } from '../../recorder/sessions/session-dir.js';

export interface SessionProcess {
  readonly sessionId: string;
  readonly pid: number;
  readonly manifestPath: string;
  readonly start: string;
}

/**
 * The process of a session, from `sessions/<id>/manifest.json`, when it can be probed from here:
 * null when the manifest is missing or invalid, or the session ran on another host (logs copied
 * from elsewhere), so only the heartbeat rule judges it.
 */
export function sessionProcess(dataDir: string, sessionId: string): SessionProcess | null {
  const dir = join(dataDir, SESSIONS_DIR, sessionId);
  const manifest = readManifest(dir);
  if (!manifest.ok || manifest.value.host !== hostname()) return null;
  return { sessionId, pid: manifest.value.pid, manifestPath: join(dir, 'manifest.json'), start: manifest.value.start };
}

/**
 * Whether the session's process is stopped by a signal now (SIGSTOP, Ctrl-Z: state T in /proc),
 * read as health reads it (processState): alive, yet silent until SIGCONT. False for a pid another
 * process got since, and wherever /proc cannot tell.
 */
export function processStopped(proc: SessionProcess): boolean {
  return processState({ session_id: proc.sessionId, pid: proc.pid, host: hostname() }, proc.start)?.stopped === true;
}

/**
 * Whether the session's own process still runs here, read as health reads it: a zombie (killed or
 * exited, not yet reaped by a parent that may never do it) is dead, and so is a pid another process
 * got since the session started. kill(pid, 0) answered yes to both, so such a bot was never
 * reported gone, only overdue once its heartbeat deadline passed.
 */
export function processRuns(proc: SessionProcess): boolean {
  return runsHere(processState({ session_id: proc.sessionId, pid: proc.pid, host: hostname() }, proc.start));
}

/** The pid of the session's process when it runs on this host and is stopped by a signal now, else null. */
export function stoppedPid(dataDir: string, sessionId: string): number | null {
  const proc = sessionProcess(dataDir, sessionId);
  return proc !== null && processStopped(proc) ? proc.pid : null;
}
