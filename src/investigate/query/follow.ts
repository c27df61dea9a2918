import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from '../../recorder/channels.js';
import { listLogFiles } from '../../recorder/log-files.js';
import { forEachMisshapen } from '../scan/line-shape.js';
import { wholeLinesEnd } from './log-set.js';

interface Cursor {
  ino: number;
  offset: number;
}

function readNew(path: string, from: number, to: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(to - from);
    const n = readSync(fd, buffer, 0, to - from, from);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface FollowSink {
  /** A new whole line containing one of the needles, and where it starts in its file. */
  line(path: string, text: string, offset: number): void;
  /** A new line, matching or not, that is not shaped like a log line. */
  misshapen(path: string, offset: number): void;
}

/**
 * `--follow`: polls the channels' current files and hands over each new whole line containing one
 * of the needles. A rotation is followed: the rest of the renamed file is read, then the new one.
 * A file is followed from the start of the line `startSizes` falls in: a size taken while the bot
 * was writing a line ends inside it, and read from there its rest would be a line of garbage.
 */
export async function followLines(
  logsDir: string,
  channels: readonly Channel[] | undefined,
  needles: readonly string[],
  startSizes: ReadonlyMap<string, number>,
  sink: FollowSink,
  signal: AbortSignal,
  intervalMs = 200,
): Promise<void> {
  const cursors = new Map<string, Cursor>();
  const wanted = needles.map((n) => Buffer.from(n));
  // `data` holds the file's bytes from `base`; returns how many of them were whole lines.
  const emit = (path: string, base: number, data: Buffer): number => {
    const end = data.lastIndexOf(10) + 1;
    let start = 0;
    while (start < end) {
      const nl = data.indexOf(10, start);
      const line = data.subarray(start, nl);
      if (line.length > 0 && (wanted.length === 0 || wanted.some((w) => line.includes(w)))) sink.line(path, line.toString('utf8'), base + start);
      start = nl + 1;
    }
    forEachMisshapen(data, 0, end, (at) => sink.misshapen(path, base + at));
    return end;
  };
  for (const file of listLogFiles(logsDir, channels)) {
    if (!file.current) continue;
    let ino;
    try {
      ino = statSync(file.path).ino;
    } catch {
      // Rotated away since the query listed it; picked up below as a new file.
      continue;
    }
    // A file that cannot be read fails here, naming it, rather than at the first poll without a name.
    const offset = wholeLinesEnd(file.path, startSizes.get(file.path) ?? 0);
    if (offset !== null) cursors.set(file.path, { ino, offset });
  }
  while (!signal.aborted) {
    const files = listLogFiles(logsDir, channels);
    for (const file of files.filter((f) => f.current)) {
      let st;
      try {
        st = statSync(file.path);
      } catch {
        continue;
      }
      let cursor = cursors.get(file.path);
      if (cursor && cursor.ino !== st.ino) {
        const old = cursor;
        const renamed = files.find((f) => !f.current && !f.gzipped && statSync(f.path).ino === old.ino);
        if (renamed) {
          const size = statSync(renamed.path).size;
          if (size > old.offset) emit(renamed.path, old.offset, readNew(renamed.path, old.offset, size));
        }
        cursor = undefined;
      }
      cursor ??= { ino: st.ino, offset: 0 };
      if (st.size < cursor.offset) cursor.offset = 0;
      if (st.size > cursor.offset) cursor.offset += emit(file.path, cursor.offset, readNew(file.path, cursor.offset, st.size));
      cursors.set(file.path, cursor);
    }
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      break;
    }
  }
}
