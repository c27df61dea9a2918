import { closeSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import type { ExtractedRegion } from './id-extract.js';

/**
 * One index segment: the ids of the lines in bytes [from, to) of one log file, sorted by id, as
 * `key\toffset,offset\n` lines behind a JSON header whose fence (every 256th key and where it sits)
 * lets a lookup read one small slice instead of the whole segment.
 */
export interface SegmentHeader {
  readonly v: 1;
  readonly from: number;
  readonly to: number;
  readonly lines: number;
  readonly keys: number;
  readonly fence: [string, number][];
  readonly bodyBytes: number;
  readonly malformed: ExtractedRegion['malformed'];
}

const FENCE_EVERY = 256;

export function writeSegment(path: string, from: number, to: number, region: ExtractedRegion): SegmentHeader {
  const sorted = [...region.keys.keys()].sort();
  const fence: [string, number][] = [];
  const parts: string[] = [];
  let bytes = 0;
  sorted.forEach((key, i) => {
    if (i % FENCE_EVERY === 0) fence.push([key, bytes]);
    const line = `${key}\t${(region.keys.get(key) ?? []).join(',')}\n`;
    parts.push(line);
    bytes += Buffer.byteLength(line);
  });
  const header: SegmentHeader = { v: 1, from, to, lines: region.lines, keys: sorted.length, fence, bodyBytes: bytes, malformed: region.malformed };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(header)}\n${parts.join('')}`);
  renameSync(tmp, path);
  return header;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  const n = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, n);
}

export function readSegmentHeader(path: string): { header: SegmentHeader; bodyStart: number } {
  const fd = openSync(path, 'r');
  try {
    let size = 64 * 1024;
    for (;;) {
      const head = readAt(fd, 0, size);
      const nl = head.indexOf(10);
      if (nl >= 0) return { header: JSON.parse(head.toString('utf8', 0, nl)) as SegmentHeader, bodyStart: nl + 1 };
      if (head.length < size) throw new Error(`index segment ${path} has no header line`);
      size *= 4;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every key of the segment starting with `prefix`, with its line offsets. */
export function lookupSegment(path: string, prefix: string): Map<string, number[]> {
  const { header, bodyStart } = readSegmentHeader(path);
  const out = new Map<string, number[]>();
  const { fence } = header;
  let lo = 0;
  let hi = fence.length - 1;
  let first = 0;
  // Last fence entry whose key sorts before the prefix: the matching keys start in its slice.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((fence[mid]?.[0] ?? '') < prefix) {
      first = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  let last = first + 1;
  while (last < fence.length && (fence[last]?.[0] ?? '').startsWith(prefix)) last++;
  const start = fence[first]?.[1] ?? 0;
  const end = last < fence.length ? (fence[last]?.[1] ?? header.bodyBytes) : header.bodyBytes;
  if (end <= start) return out;
  const fd = openSync(path, 'r');
  try {
    const text = readAt(fd, bodyStart + start, end - start).toString('utf8');
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab < 0 || !line.startsWith(prefix)) continue;
      out.set(line.slice(0, tab), line.slice(tab + 1).split(',').map(Number));
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
