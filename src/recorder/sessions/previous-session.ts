import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from './manifest.js';
import { readConfigHash, readSessionConfig } from './session-config-files.js';
import { compareSessionIds, isSessionId } from './session-order.js';

export interface PreviousSession {
  readonly sessionId: string;
  readonly dir: string;
  readonly configHash: string;
  /** Its `config.json`, or why it could not be read (the hash alone still shows drift). */
  readonly config: { ok: true; value: Record<string, unknown> } | { ok: false; error: string };
}

/**
 * The latest session that started before `currentId`, recorded a config hash and was not refused.
 * Passed over: sessions that started later (a concurrent process), never got as far as writing
 * their hash, or were refused before trading (their config never ran, so drift is measured from
 * the config that did).
 */
export function findPreviousSession(sessionsRoot: string, currentId: string): PreviousSession | undefined {
  let names: string[];
  try {
    names = readdirSync(sessionsRoot);
  } catch {
    return undefined;
  }
  const earlier = names.filter((name) => isSessionId(name) && compareSessionIds(name, currentId) < 0).sort(compareSessionIds).reverse();
  for (const sessionId of earlier) {
    const dir = join(sessionsRoot, sessionId);
    const configHash = readConfigHash(dir);
    if (configHash === undefined) continue;
    const manifest = readManifest(dir);
    if (manifest.ok && manifest.value.exit_reason === 'refused') continue;
    return { sessionId, dir, configHash, config: readSessionConfig(dir) };
  }
  return undefined;
}
