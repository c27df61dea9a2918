import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CONFIG_FILE, CONFIG_HASH_FILE } from '../../recorder/sessions/session-dir.js';
import { damagedLines } from './damaged-lines.js';
import { lineNumberAt, type SkippedLine, type SkippedLines } from './skipped-lines.js';

/** What the intact lines of a session without a readable CONFIG_HASH say of its config. */
export interface LoggedHashes {
  /** current_hash of its CONFIG_DIFF line. */
  readonly diff?: string;
  /** config_hash of its SESSION_START line. */
  readonly start?: string;
}

/** A session's config rebuilt without its CONFIG_HASH line, and what was damaged, in words. */
export interface RecoveredConfig {
  readonly hash: string;
  readonly config: Record<string, unknown> | undefined;
  readonly note: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readConfig(path: string): Record<string, unknown> | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The unreadable audit lines a query met that look like this session's CONFIG_HASH line. */
export function damagedConfigHashLines(skipped: SkippedLines, sessionId: string): SkippedLine[] {
  return damagedLines(skipped, 'audit', 'CONFIG_HASH', sessionId);
}

/**
 * A session whose CONFIG_HASH line is unreadable or lost, from what is intact: the hash of its
 * CONFIG_DIFF line, of its SESSION_START line or of sessions/<id>/config_hash.txt (in that order),
 * its config from sessions/<id>/config.json (what CONFIG_HASH logs, redacted the same way). Undefined
 * when no hash is known. The note says what was damaged (with the line's number) and what was used.
 */
export async function recoverConfig(dataDir: string, sessionId: string, logged: LoggedHashes, damaged: readonly SkippedLine[]): Promise<RecoveredConfig | undefined> {
  const dir = join(dataDir, 'sessions', sessionId);
  const fileHash = readText(join(dir, CONFIG_HASH_FILE))?.trim();
  const hash = logged.diff ?? logged.start ?? (fileHash ? fileHash : undefined);
  if (hash === undefined) return undefined;
  const hashFrom = logged.diff !== undefined ? 'its CONFIG_DIFF line' : logged.start !== undefined ? 'its SESSION_START line' : `sessions/${sessionId}/${CONFIG_HASH_FILE}`;
  const config = readConfig(join(dir, CONFIG_FILE));
  const configFrom = config ? `config from sessions/${sessionId}/${CONFIG_FILE}` : 'its config not known';
  const first = damaged[0];
  const what = first ? `its CONFIG_HASH line is damaged (${basename(first.file.path)} line ${first.lineNumber ?? (await lineNumberAt(first.file, first.offset))}: ${first.message})` : 'its CONFIG_HASH line is missing from the audit log';
  return { hash, config, note: `${what}; hash from ${hashFrom}, ${configFrom}` };
}
