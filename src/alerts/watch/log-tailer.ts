import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { channelFileName, type Channel } from '../../recorder/channels.js';
import { listLogFiles } from '../../recorder/log-files.js';
import { parseLine } from '../../recorder/line-parser.js';
import type { Observation } from '../alert-transition.js';
import type { LineProblemReport } from '../log-replay.js';

const CHUNK = 64 * 1024;

interface Tail {
  readonly channel: Channel;
  readonly path: string;
  /** The file `fd` reads: `path`, or a rotated file being caught up on. */
  reading: string;
  /** Rotated files already read, or already there when following began (history is not replayed). */
  readonly consumed: Set<string>;
  fd: number | null;
  ino: number;
  offset: number;
  /** Lines read so far in `reading`; null when following began mid-file (numbers unknown). */
  lineNumber: number | null;
  /** Bytes after the last newline: a line still being written. */
  partial: Buffer;
}

function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Follows `<logsDir>/<channel>.jsonl` for each channel, from the start of the current files. Polled,
 * not fs.watch (which misses appends on some file systems). Rotation: the writer renames the full
 * file and opens a new one; the tailer keeps the old descriptor and drains it to its end, reads any
 * file rotated after it (several rotations can fall between two polls), then moves to the new file,
 * so no line is lost or read twice. Rotated files present at construction are history and skipped.
 * A line without its newline yet waits for the rest.
 */
export class LogTailer {
  private readonly tails: Tail[];

  /**
   * `fromEnd`: skip what the current files already hold and follow only new lines (line numbers are
   * then unknown for the file being followed, and evidence omits them).
   */
  constructor(
    private readonly logsDir: string,
    channels: readonly Channel[],
    private readonly onProblem: (problem: LineProblemReport) => void = () => undefined,
    options: { readonly fromEnd?: boolean } = {},
  ) {
    this.tails = channels.map((channel) => {
      const path = join(logsDir, channelFileName(channel));
      const consumed = new Set(listLogFiles(logsDir, [channel]).filter((f) => !f.current).map((f) => f.path));
      const tail: Tail = { channel, path, reading: path, consumed, fd: null, ino: -1, offset: 0, lineNumber: 0, partial: Buffer.alloc(0) };
      if (options.fromEnd && this.open(tail, path) && tail.fd !== null) {
        tail.offset = fstatSync(tail.fd).size;
        tail.lineNumber = null;
      }
      return tail;
    });
  }

  /** Every complete line appended since the last poll, across channels, in time order. */
  poll(): Observation[] {
    const out: Observation[] = [];
    for (const tail of this.tails) this.pollTail(tail, out);
    return out.sort((a, b) => (a.line.ts === b.line.ts ? a.line.seq - b.line.seq : a.line.ts < b.line.ts ? -1 : 1));
  }

  close(): void {
    for (const tail of this.tails) if (tail.fd !== null) closeSync(tail.fd);
  }

  private pollTail(tail: Tail, out: Observation[]): void {
    if (tail.fd !== null) {
      this.drain(tail, out);
      if (inodeOf(tail.path) === tail.ino) return;
      // Rotated (or deleted): whatever reached the old file before the rename is still readable through our fd.
      this.drain(tail, out);
      this.closeTail(tail);
    }
    // Files rotated since we last looked (several rotations can happen between polls), oldest first.
    for (const file of listLogFiles(this.logsDir, [tail.channel])) {
      if (file.current || file.gzipped || tail.consumed.has(file.path)) continue;
      tail.consumed.add(file.path);
      if (inodeOf(file.path) === tail.ino) continue; // the file we just drained, under its new name
      if (!this.open(tail, file.path)) continue;
      this.drain(tail, out);
      this.closeTail(tail);
    }
    if (this.open(tail, tail.path)) this.drain(tail, out);
  }

  private closeTail(tail: Tail): void {
    if (tail.fd !== null) closeSync(tail.fd);
    tail.fd = null;
    tail.partial = Buffer.alloc(0);
  }

  private open(tail: Tail, path: string = tail.path): boolean {
    try {
      tail.fd = openSync(path, 'r');
      tail.reading = path;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return false;
      throw error;
    }
    tail.ino = fstatSync(tail.fd).ino;
    tail.offset = 0;
    tail.lineNumber = 0;
    return true;
  }

  private drain(tail: Tail, out: Observation[]): void {
    if (tail.fd === null) return;
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(tail.fd, buffer, 0, CHUNK, tail.offset);
      if (n === 0) return;
      tail.offset += n;
      let data = Buffer.concat([tail.partial, buffer.subarray(0, n)]);
      let newline = data.indexOf(0x0a);
      while (newline >= 0) {
        const text = data.subarray(0, newline).toString('utf8');
        data = data.subarray(newline + 1);
        if (tail.lineNumber !== null) tail.lineNumber++;
        if (text.length > 0) this.accept(tail, text, out);
        newline = data.indexOf(0x0a);
      }
      tail.partial = Buffer.from(data);
    }
  }

  private accept(tail: Tail, text: string, out: Observation[]): void {
    const parsed = parseLine(text);
    if (!parsed.ok) {
      this.onProblem({ file: tail.reading, lineNumber: tail.lineNumber ?? 0, message: `${parsed.error.code}: ${parsed.error.message}` });
      return;
    }
    out.push({ line: parsed.value, file: tail.reading, ...(tail.lineNumber !== null ? { lineNumber: tail.lineNumber } : {}) });
  }
}
