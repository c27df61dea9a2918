import { closeSync, openSync, readSync } from 'node:fs';
import type { LogFile } from '../../recorder/log-files.js';
import { lastLineEnd } from '../index/build-segment.js';
import { readManifests } from './log-set.js';
import { processState, runsHere } from './session-process.js';

/**
 * A current log file whose last line has no newline yet ends either in the line a running bot is
 * writing this instant (whole a moment later: not unreadable) or in the line a bot killed
 * mid-write left torn for good (how a query learns the bot died: health's DIED mid-write). Which,
 * is told by who wrote it, without a clock: a session whose process runs on this host now (as
 * health decides it, session-process.ts) when the torn line names it, or when the line before it
 * does. Only one bot writes a data directory at a time, and a bot that opens a file ends a torn
 * line left there with a newline first (file-sink.ts): once the running bot has written a line
 * in the file, whatever follows is its own. A torn line naming another session, or cut before
 * its session and following no line of a running one, is reported as before.
 */

const NEWLINE = 10;
/** The session_id is a line's fourth field, within its first ~130 bytes. */
const HEAD_BYTES = 1024;
const SESSION_FIELD = /"session_id":"([^"\\]+)"/;

/** The session the line starting at `from` (and ending by `to`) names in its first bytes, if it does. */
function sessionOfLine(fd: number, from: number, to: number): string | undefined {
  const head = Buffer.alloc(Math.min(HEAD_BYTES, to - from));
  const n = readSync(fd, head, 0, head.length, from);
  return SESSION_FIELD.exec(head.toString('utf8', 0, n))?.[1];
}

/** The sessions whose bot runs on this host now: no end in its manifest, and its pid is that bot's. */
export function runningSessions(dataDir: string): Set<string> {
  const running = new Set<string>();
  for (const [id, m] of readManifests(dataDir)) if (!m.end && runsHere(processState(m, m.start))) running.add(id);
  return running;
}

/**
 * For openLogSet: whether a current plain file's first `size` bytes end inside a line a running
 * bot is writing. The manifests are read only once a file ends inside a line, and at most once.
 * A file that cannot be read says no: the query that reads it fails, naming it.
 */
export function lineBeingWritten(dataDir: string): (file: LogFile, size: number) => boolean {
  let running: Set<string> | undefined;
  return (file, size) => {
    if (!file.current || file.gzipped || size === 0) return false;
    try {
      const fd = openSync(file.path, 'r');
      try {
        const last = Buffer.alloc(1);
        if (readSync(fd, last, 0, 1, size - 1) !== 1 || last[0] === NEWLINE) return false;
        running ??= runningSessions(dataDir);
        if (running.size === 0) return false;
        const start = lastLineEnd(file.path, 0, size);
        const named = sessionOfLine(fd, start, size);
        if (named !== undefined) return running.has(named);
        if (start === 0) return false;
        const before = sessionOfLine(fd, lastLineEnd(file.path, 0, start - 1), start);
        return before !== undefined && running.has(before);
      } finally {
        closeSync(fd);
      }
    } catch {
      return false;
    }
  };
}
