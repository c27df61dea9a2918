import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sessionIdFor } from '../../domain/ids.js';
import { makeDirectories } from '../make-directories.js';
import { errnoOf, SessionError } from './session-error.js';

export const SESSIONS_DIR = 'sessions';
export const CONFIG_HASH_FILE = 'config_hash.txt';
export const CONFIG_FILE = 'config.json';
export const MANIFEST_FILE = 'manifest.json';

export interface SessionDir {
  readonly sessionId: string;
  /** `<data-dir>/sessions/<session_id>` */
  readonly dir: string;
}

const MAX_ATTEMPTS = 1_000;

/**
 * Claims a new session id and its directory under `sessionsRoot`. The claim is the exclusive
 * mkdir itself: when another process took `session_<stamp>` first, this one gets `_2`, `_3`...,
 * so two processes starting in the same second can never share an id.
 */
export function createSessionDir(sessionsRoot: string, now: Date): SessionDir {
  try {
    // Not mkdirSync's recursive mode: under /proc/self it looped forever (see makeDirectories).
    makeDirectories(sessionsRoot);
  } catch (error) {
    throw new SessionError('create_failed', `cannot create sessions directory ${sessionsRoot}: ${(error as Error).message}`, sessionsRoot, { cause: error });
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const sessionId = sessionIdFor(now, attempt);
    const dir = join(sessionsRoot, sessionId);
    try {
      mkdirSync(dir);
      return { sessionId, dir };
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') continue;
      throw new SessionError('create_failed', `cannot create session directory ${dir}: ${(error as Error).message}`, dir, { cause: error });
    }
  }
  throw new SessionError('ids_exhausted', `${MAX_ATTEMPTS} sessions already started at ${now.toISOString()} in ${sessionsRoot}`, sessionsRoot);
}
