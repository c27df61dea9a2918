import type { Channel } from '../recorder/channels.js';
import { listLogFiles } from '../recorder/log-files.js';
import { readRotatedLog } from '../recorder/read-rotated-log.js';
import type { Recorder } from '../recorder/recorder.js';
import { errorMessage } from './engine-halt.js';

/** A log file a start could not read (a damaged .gz, EACCES): named in a LOG warn line, never a reason to refuse the start. */
export type OnUnreadableLog = (path: string, error: unknown) => void;

/** A LOG warn line of the session naming the file, the error, and what the start does without it. */
export function warnUnreadableLog(recorder: Recorder, consequence: string): OnUnreadableLog {
  return (path, error) =>
    recorder.emit('LOG', { message: `could not read the rotated log ${path} at start (${errorMessage(error)}): ${consequence}`, component: 'recovery', data: { path, error: errorMessage(error) } }, { level: 'warn' });
}

/** How one file of a search is read: each returns the bytes it covered, counted against the budget. */
export interface BackwardsReads {
  /** A plain file, read from its end within `budget` bytes. */
  readonly plain: (path: string, budget: number) => number;
  /** A .gz, unzipped, which can only be read from its start. */
  readonly gzipped: (unzipped: AsyncIterable<Buffer>) => Promise<number>;
}

/**
 * A start's search through one channel, newest file first (rotated and gzipped ones too), until
 * `done()` or `budgetBytes` are covered: a symbol or session found nowhere lately must not make
 * every start read the whole history. A file deleted since the listing counts as empty; one that
 * cannot be read ends the search, reported to `onUnreadable` (an older file would answer for what
 * the unread one may have held).
 */
export async function searchNewestFirst(
  logsDir: string, channel: Channel, reads: BackwardsReads, done: () => boolean, budgetBytes: number, onUnreadable: OnUnreadableLog,
): Promise<void> {
  let budget = budgetBytes;
  for (const file of listLogFiles(logsDir, [channel]).reverse()) {
    if (done() || budget <= 0) return;
    const left = budget;
    const read = await readRotatedLog(file, (path) => reads.plain(path, left), reads.gzipped);
    if (read.kind === 'unreadable') {
      onUnreadable(read.path, read.error);
      return;
    }
    if (read.kind === 'read') budget -= read.value;
  }
}

const NEWLINE = 0x0a;

/**
 * Feeds `onChunk` each chunk of an unzipped log, after the bytes the chunk before left unfinished,
 * with where its last whole line ends (`whole`): a torn last line (no newline) is never read as a
 * line, as in linesBackwards. Returns the bytes it held, unzipped (what a search counts against
 * its budget).
 */
export async function wholeLineChunks(unzipped: AsyncIterable<Buffer>, onChunk: (data: Buffer, whole: number) => void): Promise<number> {
  let bytes = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of unzipped) {
    bytes += chunk.length;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const whole = data.lastIndexOf(NEWLINE) + 1;
    onChunk(data, whole);
    carry = Buffer.from(data.subarray(whole));
  }
  return bytes;
}
