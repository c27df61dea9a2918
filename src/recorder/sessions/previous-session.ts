import { join } from 'node:path';
import { readManifest } from './manifest.js';
import { readConfigHash, readSessionConfig } from './session-config-files.js';
import { compareStarts, sessionEntries, type SessionEntry } from './session-sequence.js';

export interface PreviousSession {
  readonly sessionId: string;
  readonly dir: string;
  readonly configHash: string;
  /** Its `config.json`, or why it could not be read (the hash alone still shows drift). */
  readonly config: { ok: true; value: Record<string, unknown> } | { ok: false; error: string };
}

/**
 * The latest session that started before `currentId`, recorded a config hash and was not refused.
 * "Before" is by start sequence (see compareStarts), so a clock set back between two sessions does
 * not hide the one that really came last. Passed over: sessions that started later (a concurrent
 * process), never got as far as writing their hash, or were refused before trading (their config
 * never ran, so drift is measured from the config that did). `entries`: the session directories,
 * when the caller listed them already (the current one with its sequence).
 */
export function findPreviousSession(sessionsRoot: string, currentId: string, entries: readonly SessionEntry[] = sessionEntries(sessionsRoot)): PreviousSession | undefined {
  const own = entries.find((e) => e.sessionId === currentId) ?? { sessionId: currentId, dir: join(sessionsRoot, currentId), sequence: undefined };
  const earlier = entries.filter((e) => compareStarts(e, own) < 0).sort((a, b) => compareStarts(b, a));
  for (const { sessionId, dir } of earlier) {
    const configHash = readConfigHash(dir);
    if (configHash === undefined) continue;
    const manifest = readManifest(dir);
    if (manifest.ok && manifest.value.exit_reason === 'refused') continue;
    return { sessionId, dir, configHash, config: readSessionConfig(dir) };
  }
  return undefined;
}
