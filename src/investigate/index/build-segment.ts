import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipChunks } from '../scan/gunzip-chunks.js';
import { extractRegion } from './id-extract.js';
import { writeSegment, type SegmentHeader } from './segment.js';

export interface BuildTask {
  readonly logPath: string;
  readonly gzipped: boolean;
  /** Line starts: the segment covers exactly the lines in [from, to). */
  readonly from: number;
  readonly to: number;
  readonly segmentPath: string;
}

const CHUNK = 8 * 1024 * 1024;

function buildPlain(task: BuildTask): SegmentHeader {
  const keys = new Map<string, number[]>();
  const malformed: ReturnType<typeof extractRegion>['malformed'] = [];
  let lines = 0;
  const fd = openSync(task.logPath, 'r');
  try {
    let buffer = Buffer.allocUnsafe(CHUNK);
    let pos = task.from;
    let have = 0;
    while (pos + have < task.to) {
      if (have === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, have);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, have, Math.min(buffer.length - have, task.to - pos - have), pos + have);
      if (n === 0) break;
      have += n;
      const regionEnd = buffer.lastIndexOf(10, have - 1) + 1;
      if (regionEnd === 0) continue;
      const part = extractRegion(buffer.subarray(0, regionEnd), pos, keys);
      for (const m of part.malformed) malformed.push({ ...m, line: m.line + lines });
      lines += part.lines;
      buffer.copy(buffer, 0, regionEnd, have);
      pos += regionEnd;
      have -= regionEnd;
    }
  } finally {
    closeSync(fd);
  }
  return writeSegment(task.segmentPath, task.from, task.to, { keys, lines, malformed });
}

/** A rotated gzipped file is immutable: one segment over its decompressed bytes. */
export async function buildGzip(task: BuildTask): Promise<SegmentHeader> {
  const keys = new Map<string, number[]>();
  const malformed: ReturnType<typeof extractRegion>['malformed'] = [];
  let lines = 0;
  let base = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of gunzipChunks(task.logPath)) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const regionEnd = data.lastIndexOf(10) + 1;
    if (regionEnd > 0) {
      const part = extractRegion(data.subarray(0, regionEnd), base, keys);
      for (const m of part.malformed) malformed.push({ ...m, line: m.line + lines });
      lines += part.lines;
    }
    base += regionEnd;
    carry = Buffer.from(data.subarray(regionEnd));
  }
  return writeSegment(task.segmentPath, 0, base, { keys, lines, malformed });
}

export function buildSegmentSync(task: BuildTask): SegmentHeader {
  return buildPlain(task);
}

/** Line starts cutting [from, to) into about `parts` pieces (each cut moved to the next line start). */
export function lineCuts(path: string, from: number, to: number, maxBytes: number): number[] {
  const cuts = [from];
  const fd = openSync(path, 'r');
  try {
    const probe = Buffer.allocUnsafe(64 * 1024);
    for (let at = from + maxBytes; at < to; at += maxBytes) {
      const n = readSync(fd, probe, 0, Math.min(probe.length, to - at), at);
      const nl = probe.subarray(0, n).indexOf(10);
      if (nl < 0) continue;
      const cut = at + nl + 1;
      if (cut < to && cut > (cuts[cuts.length - 1] ?? 0)) cuts.push(cut);
    }
  } finally {
    closeSync(fd);
  }
  cuts.push(to);
  return cuts;
}

/** The end of the last whole line in a plain file of `size` bytes: a torn tail is not indexed. */
export function lastLineEnd(path: string, from: number, size: number): number {
  if (size <= from) return from;
  const fd = openSync(path, 'r');
  try {
    const probe = Buffer.allocUnsafe(64 * 1024);
    for (let end = size; end > from; end -= probe.length) {
      const start = Math.max(from, end - probe.length);
      const n = readSync(fd, probe, 0, end - start, start);
      const nl = probe.subarray(0, n).lastIndexOf(10);
      if (nl >= 0) return start + nl + 1;
    }
    return from;
  } finally {
    closeSync(fd);
  }
}
