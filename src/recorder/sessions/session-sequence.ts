import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from './manifest.js';
import { compareSessionIds, isSessionId } from './session-order.js';

/** A session directory as found on disk: its id, and the start order its manifest records (if any). */
export interface SessionEntry {
  readonly sessionId: string;
  readonly dir: string;
  /** Undefined for a manifest written before sequences existed, or one that cannot be read. */
  readonly sequence: number | undefined;
}

/** Every session directory under `sessionsRoot` (none when it does not exist). */
export function sessionEntries(sessionsRoot: string): SessionEntry[] {
  let names: string[];
  try {
    names = readdirSync(sessionsRoot);
  } catch {
    return [];
  }
  return names.filter(isSessionId).map((sessionId) => {
    const dir = join(sessionsRoot, sessionId);
    const manifest = readManifest(dir);
    return { sessionId, dir, sequence: manifest.ok ? manifest.value.sequence : undefined };
  });
}

/**
 * The sequence a new session records: 1 + the largest recorded under `sessionsRoot`, its own
 * directory (already created, no manifest yet) aside. Two sessions starting at the same instant may
 * get the same one; `startedBefore` then falls back to their ids.
 */
export function nextSessionSequence(sessionsRoot: string, ownId: string): number {
  return sequenceAfter(sessionEntries(sessionsRoot), ownId);
}

/** nextSessionSequence over entries already listed (the bootstrap lists them once, for this and the previous session). */
export function sequenceAfter(entries: readonly SessionEntry[], ownId: string): number {
  let largest = 0;
  for (const entry of entries) if (entry.sessionId !== ownId && entry.sequence !== undefined) largest = Math.max(largest, entry.sequence);
  return largest + 1;
}

/**
 * Start order: by sequence, then by id. A session without a sequence (written before sequences
 * existed, or crashed before its manifest) counts as 0: it started before every session that has
 * one. Ids alone put a session started after a clock was set back before the one it followed.
 */
export function compareStarts(a: SessionEntry, b: SessionEntry): number {
  const bySequence = (a.sequence ?? 0) - (b.sequence ?? 0);
  return bySequence !== 0 ? bySequence : compareSessionIds(a.sessionId, b.sessionId);
}
