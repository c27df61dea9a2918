import { closeSync, openSync, readSync } from 'node:fs';
import { forEachMisshapen } from './line-shape.js';

/**
 * The hot loop of every query: find the key bytes (`"decision_id":"dec_...`) in raw Buffers and cut
 * out only the lines that contain them. Nothing is decoded or parsed until a line is a candidate.
 */
export interface LineHit {
  /** Byte offset of the line's first byte in its (decompressed) file. */
  readonly offset: number;
  readonly text: string;
}

export interface ScanSink {
  hit(offset: number, text: string): void;
  /** The file ends with bytes after its last newline: a torn or truncated last line. */
  torn(offset: number, text: string): void;
  /** A line, matching or not, that is not shaped like a log line; only checked when present. */
  misshapen?(offset: number): void;
}

const NL = 10;
const CHUNK_BYTES = 4 * 1024 * 1024;
let spare: Buffer | null = null;

/**
 * Emits each line of `region` (which ends just after a newline) that contains one of the needles and
 * starts at or after `from` and before `stopAt`. `base` is the file offset of region[0].
 * No needles: every line. Then, for a sink that wants them, every misshapen line of the same span.
 */
export function matchRegion(region: Buffer, base: number, from: number, stopAt: number, needles: readonly Buffer[], sink: ScanSink): void {
  matchNeedles(region, base, from, stopAt, needles, sink);
  const misshapen = sink.misshapen?.bind(sink);
  if (misshapen) forEachMisshapen(region, from, stopAt, (start) => misshapen(base + start));
}

function matchNeedles(region: Buffer, base: number, from: number, stopAt: number, needles: readonly Buffer[], sink: ScanSink): void {
  if (needles.length === 0) {
    let start = from;
    while (start < region.length && start < stopAt) {
      const end = region.indexOf(NL, start);
      if (end > start) sink.hit(base + start, region.toString('utf8', start, end));
      start = end + 1;
    }
    return;
  }
  if (needles.length === 1) {
    const needle = needles[0] as Buffer;
    let i = region.indexOf(needle, from);
    while (i >= 0) {
      const start = region.lastIndexOf(NL, i) + 1;
      if (start >= stopAt) break;
      const end = region.indexOf(NL, i);
      sink.hit(base + start, region.toString('utf8', start, end));
      i = region.indexOf(needle, end + 1);
    }
    return;
  }
  // Several needles: a line matching more than one is emitted once, in file order.
  const lines = new Map<number, number>();
  for (const needle of needles) {
    let i = region.indexOf(needle, from);
    while (i >= 0) {
      const start = region.lastIndexOf(NL, i) + 1;
      if (start >= stopAt) break;
      const end = region.indexOf(NL, i);
      lines.set(start, end);
      i = region.indexOf(needle, end + 1);
    }
  }
  for (const start of [...lines.keys()].sort((a, b) => a - b)) {
    sink.hit(base + start, region.toString('utf8', start, lines.get(start)));
  }
}

/**
 * Scans the lines that start in [start, end) of a plain file whose size was `fileSize` when the
 * query began (bytes appended later are left to --follow). Reads fixed chunks: memory is bounded by
 * the chunk size and the longest line, never by the file.
 */
export function scanFileRange(path: string, start: number, end: number, fileSize: number, needles: readonly Buffer[], sink: ScanSink): void {
  const fd = openSync(path, 'r');
  // A fresh 4 MB buffer per call costs a page fault per 4 KB on first touch, as much as the read
  // itself: each thread keeps one (calls are synchronous, so never two at once).
  let buffer = spare ?? Buffer.allocUnsafe(CHUNK_BYTES);
  spare = null;
  try {
    let pos = start;
    let have = 0;
    let skipPartial = false;
    if (start > 0) {
      // A range that begins mid-line leaves that line to the range before it.
      const previous = Buffer.alloc(1);
      readSync(fd, previous, 0, 1, start - 1);
      skipPartial = previous[0] !== NL;
    }
    for (;;) {
      if (have === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, have);
        buffer = bigger;
      }
      const want = Math.min(buffer.length - have, fileSize - (pos + have));
      const read = want > 0 ? readSync(fd, buffer, have, want, pos + have) : 0;
      have += read;
      const eof = read === 0 || pos + have >= fileSize;
      const lastNl = have > 0 ? buffer.lastIndexOf(NL, have - 1) : -1;
      if (lastNl < 0 && !eof) continue;
      const regionEnd = lastNl + 1;
      let from = 0;
      if (skipPartial) {
        if (lastNl < 0) break;
        from = buffer.indexOf(NL, 0) + 1;
        skipPartial = false;
      }
      if (regionEnd > from) matchRegion(buffer.subarray(0, regionEnd), pos, from, end - pos, needles, sink);
      if (eof) {
        if (regionEnd < have && pos + regionEnd < end && pos + regionEnd >= start) {
          sink.torn(pos + Math.max(regionEnd, from), buffer.toString('utf8', Math.max(regionEnd, from), have));
        }
        break;
      }
      if (pos + regionEnd >= end) break;
      buffer.copy(buffer, 0, regionEnd, have);
      pos += regionEnd;
      have -= regionEnd;
    }
  } finally {
    closeSync(fd);
    spare = buffer.length === CHUNK_BYTES ? buffer : null;
  }
}

/** Incremental splitter for streams (gzipped files): same matching, chunk by chunk. */
export class StreamMatcher {
  private carry: Buffer = Buffer.alloc(0);
  private base = 0;

  constructor(
    private readonly needles: readonly Buffer[],
    private readonly sink: ScanSink,
  ) {}

  push(chunk: Buffer): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastNl = data.lastIndexOf(NL);
    if (lastNl < 0) {
      this.carry = data;
      return;
    }
    matchRegion(data.subarray(0, lastNl + 1), this.base, 0, Number.MAX_SAFE_INTEGER, this.needles, this.sink);
    this.base += lastNl + 1;
    this.carry = Buffer.from(data.subarray(lastNl + 1));
  }

  end(): void {
    if (this.carry.length > 0) this.sink.torn(this.base, this.carry.toString('utf8'));
    this.carry = Buffer.alloc(0);
  }
}
