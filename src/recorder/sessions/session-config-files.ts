import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { CONFIG_FILE, CONFIG_HASH_FILE } from './session-dir.js';

const HASH = /^[0-9a-f]{16}$/;

/** Writes `config_hash.txt` and `config.json` (the redacted effective config) of a session. */
export function writeSessionConfig(dir: string, configHash: string, config: unknown): void {
  writeFileAtomic(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(join(dir, CONFIG_HASH_FILE), `${configHash}\n`);
}

/** The session's config hash, or undefined when the file is missing or not a hash. */
export function readConfigHash(dir: string): string | undefined {
  try {
    const text = readFileSync(join(dir, CONFIG_HASH_FILE), 'utf8').trim();
    return HASH.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

export type SessionConfigRead = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

export function readSessionConfig(dir: string): SessionConfigRead {
  const path = join(dir, CONFIG_FILE);
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, value: value as Record<string, unknown> };
    return { ok: false, error: `${path} does not hold a JSON object` };
  } catch (error) {
    return { ok: false, error: `cannot read ${path}: ${(error as Error).message}` };
  }
}
