import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { toLogReadError } from '../../investigate/log-read-error.js';
import { errnoOf } from '../../recorder/file-rotation.js';
import { listLogFiles, type LogFile } from '../../recorder/log-files.js';
import { parseLine } from '../../recorder/line-parser.js';
import type { AlertRule } from '../../recorder/events/alert-events.js';

export interface PreviouslyOpen {
  readonly alertId: string;
  readonly rule: AlertRule;
  readonly subject: string;
  readonly firedAt: number;
}

export const WATCHER_PREFIX = 'watcher_';

const CHUNK = 1024 * 1024;

/** One line and exit code 3 from the CLI, naming the file: a read error or bad gzip names none itself. */
function unreadable(error: unknown, file: LogFile): unknown {
  return toLogReadError(error, file.path) ?? error;
}

/**
 * The lines of one alerts file, read synchronously (the watcher loads them in its constructor) a
 * chunk at a time: a rotated file can be as large as the rotation size. Lines end at `\n` with a
 * `\r` before it dropped, as readLines does. Nothing when the file is gone (removed or compressed
 * between the listing and the read: its history is then lost to this start, not misread).
 */
function* linesOf(file: LogFile): Generator<string> {
  if (file.gzipped) {
    let bytes: Buffer;
    try {
      bytes = gunzipSync(readFileSync(file.path));
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return;
      throw unreadable(error, file);
    }
    yield* splitLines(bytes);
    return;
  }
  let fd: number;
  try {
    fd = openSync(file.path, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return;
    throw unreadable(error, file);
  }
  try {
    const buffer = Buffer.alloc(CHUNK);
    let carry = Buffer.alloc(0);
    for (let offset = 0; ; ) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, CHUNK, offset);
      } catch (error) {
        throw unreadable(error, file);
      }
      if (n === 0) break;
      offset += n;
      const data = Buffer.concat([carry, buffer.subarray(0, n)]);
      const end = data.lastIndexOf(0x0a) + 1;
      yield* splitLines(data.subarray(0, end));
      carry = Buffer.from(data.subarray(end));
    }
    // A torn last line (the writer was killed mid-write) is not JSON and is passed over below.
    yield* splitLines(carry);
  } finally {
    closeSync(fd);
  }
}

function* splitLines(data: Buffer): Generator<string> {
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    const next = end < 0 ? data.length : end + 1;
    if (end < 0) end = data.length;
    const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
    if (stop > start) yield data.toString('utf8', start, stop);
    start = next;
  }
}

/**
 * Alerts a watcher fired and never resolved, keyed by rule and subject, from every alerts file
 * oldest first: the ALERT_FIRED of an incident still open may have been rotated (or rotated and
 * gzipped) out of `logs/alerts.jsonl`. A restarted watcher takes them over instead of firing the
 * same incident again under a new id. In-bot alerts are left alone: they belong to the bot's session.
 */
export function openWatcherAlerts(logsDir: string): Map<string, PreviouslyOpen> {
  const open = new Map<string, PreviouslyOpen>();
  for (const file of listLogFiles(logsDir, ['alerts'])) {
    for (const raw of linesOf(file)) {
      const parsed = parseLine(raw);
      if (!parsed.ok || !parsed.value.session_id.startsWith(WATCHER_PREFIX)) continue;
      const line = parsed.value;
      if (line.event_type === 'ALERT_FIRED') {
        open.set(alertKey(line.rule, line.subject), { alertId: line.alert_id, rule: line.rule, subject: line.subject, firedAt: Date.parse(line.ts) });
      } else if (line.event_type === 'ALERT_RESOLVED') {
        const key = alertKey(line.rule, line.subject);
        if (open.get(key)?.alertId === line.alert_id) open.delete(key);
      }
    }
  }
  return open;
}

export function alertKey(rule: AlertRule, subject: string): string {
  return `${rule}\u0000${subject}`;
}
