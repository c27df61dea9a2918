import { dirname, join } from 'node:path';
import { findLoggedBaseline } from './logged-config-hash.js';
import { readManifest, type SessionMode } from './manifest.js';
import { readConfigHash, readSessionConfig } from './session-config-files.js';
import { compareStarts, sessionEntries, type SessionEntry } from './session-sequence.js';

export interface PreviousSession {
  readonly sessionId: string;
  readonly dir: string;
  readonly configHash: string;
  /** Its `config.json`, or why it could not be read (the hash alone still shows drift). */
  readonly config: { ok: true; value: Record<string, unknown> } | { ok: false; error: string };
  /** Set when found in the audit log, not sessions/ (deleted or damaged there): the audit file its CONFIG_HASH line is in. */
  readonly loggedIn?: string;
}

/** Where the bot writes its logs beside `sessions/`: the data directory's `logs/` (as the bootstrap lays it out). */
function logsDirBeside(sessionsRoot: string): string {
  return join(dirname(sessionsRoot), 'logs');
}

/**
 * The latest session that started before `currentId`, in the same mode, recorded a config hash and
 * was not refused: what CONFIG_DIFF compares with. "Before" is by start sequence (see compareStarts),
 * so a clock set back between two sessions does not hide the one that really came last. Passed
 * over: sessions that started later (a concurrent process), never got as far as writing their hash,
 * were refused before trading (their config never ran, so drift is measured from the config that
 * did), or ran in another mode (a `demo` is not the paper bot's config, and paper is not live's).
 * A mode not known (no readable manifest or SESSION_START) matches any.
 *
 * sessions/ is not the only record: the audit log holds every session's CONFIG_HASH. A session no
 * longer in sessions/ (deleted, its config_hash.txt damaged) that the log shows after the one found
 * there is the previous one, its config from its CONFIG_HASH line; without this a session after
 * `rm -rf sessions` logged no CONFIG_DIFF and every drift alert stayed silent. `entries`: the
 * session directories, when the caller listed them already (the current one with its sequence).
 */
export function findPreviousSession(sessionsRoot: string, currentId: string, entries: readonly SessionEntry[] = sessionEntries(sessionsRoot)): PreviousSession | undefined {
  const own = entries.find((e) => e.sessionId === currentId) ?? { sessionId: currentId, dir: join(sessionsRoot, currentId), sequence: undefined };
  const ownManifest = readManifest(own.dir);
  const mode: SessionMode | undefined = ownManifest.ok ? ownManifest.value.mode : undefined;
  const sameMode = (other: SessionMode | undefined): boolean => mode === undefined || other === undefined || other === mode;
  /** Why sessions/ passes a session over, or undefined when it could be the baseline (its hash aside). */
  const passedOver = (entry: SessionEntry): boolean => {
    if (compareStarts(entry, own) >= 0) return true;
    const manifest = readManifest(entry.dir);
    return manifest.ok && (manifest.value.exit_reason === 'refused' || !sameMode(manifest.value.mode));
  };
  const earlier = entries.filter((e) => e.sessionId !== currentId && compareStarts(e, own) < 0).sort((a, b) => compareStarts(b, a));
  let found: PreviousSession | undefined;
  for (const entry of earlier) {
    const configHash = readConfigHash(entry.dir);
    if (configHash === undefined || passedOver(entry)) continue;
    found = { sessionId: entry.sessionId, dir: entry.dir, configHash, config: readSessionConfig(entry.dir) };
    break;
  }
  const listed = new Map(entries.map((e) => [e.sessionId, e]));
  const logged = findLoggedBaseline(logsDirBeside(sessionsRoot), {
    currentId,
    // A session sessions/ still holds is judged by its manifest; one it lost, by its logged mode.
    accept: (sessionId, loggedMode) => {
      const entry = listed.get(sessionId);
      return entry !== undefined && readManifest(entry.dir).ok ? !passedOver(entry) : sameMode(loggedMode);
    },
    // Lines of the session found in sessions/, met first from the log's end: nothing older is newer than it.
    stopAt: found?.sessionId,
  });
  if (logged === undefined || logged.sessionId === found?.sessionId) return found;
  const entry = listed.get(logged.sessionId);
  // Still whole in sessions/ (its hash readable) and not the one found there: sessions/'s start order decides.
  if (entry !== undefined && readConfigHash(entry.dir) !== undefined) return found;
  return {
    sessionId: logged.sessionId,
    dir: join(sessionsRoot, logged.sessionId),
    configHash: logged.configHash,
    config: logged.config ? { ok: true, value: logged.config } : { ok: false, error: `its CONFIG_HASH line in ${logged.file} logged only the hash (an older version), and sessions/${logged.sessionId} is gone or damaged` },
    loggedIn: logged.file,
  };
}
