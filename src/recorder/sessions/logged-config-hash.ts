import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseLine } from '../line-parser.js';
import { linesBackwards } from '../lines-backwards.js';
import { listLogFiles, type LogFile } from '../log-files.js';
import { SESSION_MODES, type SessionMode } from './manifest.js';

/** A session's config as its CONFIG_HASH line in the audit log holds it. */
export interface LoggedConfigHash {
  readonly sessionId: string;
  readonly configHash: string;
  /** Undefined when the line logged only the hash (older versions). */
  readonly config: Record<string, unknown> | undefined;
  /** Its SESSION_START's mode; undefined when that line is missing or unreadable. */
  readonly mode: SessionMode | undefined;
  /** The audit file the line is in. */
  readonly file: string;
}

export interface LoggedBaselineSearch {
  /** The session looking: its own lines (a restart's, a concurrent writer's) are never its baseline. */
  readonly currentId: string;
  /** Whether a session that logged its config may be the baseline (its mode, what sessions/ says of it). */
  readonly accept: (sessionId: string, loggedMode: SessionMode | undefined) => boolean;
  /** Stop, finding nothing, at the first line (from the end) of this session: the baseline found elsewhere is newer than anything before it. */
  readonly stopAt?: string | undefined;
}

const HASH = /^[0-9a-f]{16}$/;
const isMode = (v: unknown): v is SessionMode => (SESSION_MODES as readonly unknown[]).includes(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

// Only these lines decide; the others are passed over unparsed.
const NEEDLES = ['"CONFIG_HASH"', '"SESSION_START"', '"SESSION_END"'];

/**
 * Lines of one audit file, last first. Sync, like the rest of a session's start (the bootstrap
 * is). A .gz is unzipped whole: audit files are a few lines a session. A rotated plain file gone
 * to its .gz since the listing is read there. What cannot be read is passed over: this only
 * finds a baseline for CONFIG_DIFF, never a reason to refuse a start.
 */
function* linesOf(file: LogFile): Generator<string> {
  const backwardsOfGz = (path: string): string[] => gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l.length > 0).reverse();
  try {
    if (file.gzipped) {
      yield* backwardsOfGz(file.path);
      return;
    }
    try {
      yield* linesBackwards(file.path);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT' || file.current) return;
      yield* backwardsOfGz(`${file.path}.gz`);
    }
  } catch {
    return;
  }
}

/**
 * The latest session's CONFIG_HASH in the audit log (rotated and gzipped files included) that
 * `accept` takes: not the current session's, not one that ended refused (it never traded: its
 * config is nobody's baseline). Read from the end, so a session's SESSION_START (its mode) and
 * SESSION_END (refused) are met before its CONFIG_HASH. What sessions/ no longer holds (deleted,
 * damaged) is still here: without it a session after `rm -rf sessions` logged no CONFIG_DIFF.
 */
export function findLoggedBaseline(logsDir: string, search: LoggedBaselineSearch): LoggedConfigHash | undefined {
  const refused = new Set<string>();
  const modes = new Map<string, SessionMode>();
  // A CONFIG_HASH whose SESSION_START was not met yet: the bot writes that line after it, but a
  // writer that put it first has it further back. Decided at its SESSION_START or the next line of
  // another session (its mode then unknown, which matches any).
  let pending: Omit<LoggedConfigHash, 'mode'> | undefined;
  const decide = (mode: SessionMode | undefined): LoggedConfigHash | undefined => {
    const found = pending && search.accept(pending.sessionId, mode) ? { ...pending, mode } : undefined;
    pending = undefined;
    return found;
  };
  let files: LogFile[];
  try {
    files = listLogFiles(logsDir, ['audit']);
  } catch {
    return undefined;
  }
  for (const file of files.reverse()) {
    for (const text of linesOf(file)) {
      const stop = search.stopAt !== undefined && text.includes(search.stopAt);
      if (!stop && !NEEDLES.some((n) => text.includes(n))) continue;
      // Not validated against the catalog: older versions' CONFIG_HASH lines lack `config`, and only
      // the fields read here matter; each is checked for its type.
      const parsed = parseLine(text);
      if (!parsed.ok) continue;
      const line = parsed.value as unknown as Readonly<Record<string, unknown>>;
      const sessionId = line['session_id'] as string;
      const type = line['event_type'];
      if (pending && sessionId !== pending.sessionId) {
        const found = decide(undefined);
        if (found) return found;
      }
      if (sessionId === search.stopAt) return undefined;
      if (sessionId === search.currentId) continue;
      if (type === 'SESSION_END' && line['reason'] === 'refused') refused.add(sessionId);
      else if (type === 'SESSION_START' && isMode(line['mode'])) {
        modes.set(sessionId, line['mode']);
        if (pending) {
          const found = decide(line['mode']);
          if (found) return found;
        }
      } else if (type === 'CONFIG_HASH' && typeof line['config_hash'] === 'string' && HASH.test(line['config_hash'])) {
        if (refused.has(sessionId)) continue;
        const config = line['config'];
        pending = { sessionId, configHash: line['config_hash'], config: isObject(config) ? config : undefined, file: file.path };
        if (modes.has(sessionId)) {
          const found = decide(modes.get(sessionId));
          if (found) return found;
        }
      }
    }
  }
  return decide(undefined);
}
