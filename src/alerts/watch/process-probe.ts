import { hostname } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../../recorder/sessions/manifest.js';
import { SESSIONS_DIR } from '../../recorder/sessions/session-dir.js';

export interface SessionProcess {
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
  return { pid: manifest.value.pid, manifestPath: join(dir, 'manifest.json'), start: manifest.value.start };
}
