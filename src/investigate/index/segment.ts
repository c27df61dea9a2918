import { closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
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

/**
 * A segment file that is not what its metadata says: missing, unreadable, cut short, or with a
 * header or body that does not add up. The index is a cache, so such a segment is rebuilt.
 */
export class SegmentDamagedError extends Error {
  constructor(
    readonly path: string,
    reason: string,
    /** The segment file is not there at all (ENOENT): possibly replaced by another query, not damaged. */
    readonly missing = false,
  ) {
    super(`index segment ${path} is damaged: ${reason}`);
    this.name = 'SegmentDamagedError';
  }
}

// The fence's shape only: its entries are checked where a lookup uses them (checkFenceSlice), so
// a query does not walk every fence of every segment (that made each query ~40% slower).
function isFence(fence: unknown, keys: number): boolean {
  if (!Array.isArray(fence) || fence.length !== Math.ceil(keys / FENCE_EVERY)) return false;
  const head: unknown = fence[0];
  return fence.length === 0 || (Array.isArray(head) && head.length === 2 && typeof head[0] === 'string' && head[1] === 0);
}

/** The fence entries a lookup reads, from `first` to `last` (exclusive): well formed, increasing, inside the body. */
function checkFenceSlice(path: string, fence: readonly unknown[], first: number, last: number, bodyBytes: number): void {
  let previous: [string, number] | null = null;
  for (let i = first; i <= Math.min(last, fence.length - 1); i++) {
    const entry = fence[i];
    const ok = Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'number' && Number.isInteger(entry[1]) && entry[1] >= 0 && entry[1] < bodyBytes;
    if (!ok || (previous !== null && ((entry as [string, number])[1] <= previous[1] || (entry as [string, number])[0] <= previous[0]))) {
      throw new SegmentDamagedError(path, 'header fence does not match its body');
    }
    previous = entry as [string, number];
  }
}

function checkHeader(path: string, value: unknown, fileSize: number, bodyStart: number): SegmentHeader {
  const h = value as Partial<SegmentHeader> | null;
  const count = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (h === null || typeof h !== 'object' || h.v !== 1 || !count(h.from) || !count(h.to) || !count(h.lines) || !count(h.keys) || !count(h.bodyBytes) || !Array.isArray(h.malformed)) {
    throw new SegmentDamagedError(path, 'header is not a segment header');
  }
  const header = h as SegmentHeader;
  if (bodyStart + header.bodyBytes !== fileSize) throw new SegmentDamagedError(path, `${fileSize} bytes where the header says ${bodyStart + header.bodyBytes}`);
  if (!isFence(header.fence, header.keys)) throw new SegmentDamagedError(path, 'header fence does not match its body');
  return header;
}

function openSegment(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SegmentDamagedError(path, `cannot be opened (${code ?? String(error)})`, code === 'ENOENT');
  }
}

/** The segment's header, checked against the open file: any inconsistency is a SegmentDamagedError. */
function readHeader(path: string, fd: number): { header: SegmentHeader; bodyStart: number } {
  const fileSize = fstatSync(fd).size;
  let size = 64 * 1024;
  for (;;) {
    const head = readAt(fd, 0, size);
    const nl = head.indexOf(10);
    if (nl >= 0) {
      let value: unknown;
      try {
        value = JSON.parse(head.toString('utf8', 0, nl));
      } catch {
        throw new SegmentDamagedError(path, 'header line is not JSON');
      }
      return { header: checkHeader(path, value, fileSize, nl + 1), bodyStart: nl + 1 };
    }
    if (head.length < size) throw new SegmentDamagedError(path, 'no header line');
    size *= 4;
  }
}

function asDamaged(path: string, error: unknown): SegmentDamagedError {
  if (error instanceof SegmentDamagedError) return error;
  return new SegmentDamagedError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
}

/**
 * Every key of the segment starting with `prefix`, with its line offsets. `range`: the bytes of the log
 * the segment is listed for; a segment whose header says otherwise is damaged. The file is opened
 * once, so a segment another query replaces (renames over or removes) while this one reads it is
 * read whole from the file this lookup opened.
 */
export function lookupSegment(path: string, prefix: string, range?: SegmentRange): Map<string, number[]> {
  return readSegment(path, range, (fd, header, bodyStart) => lookupBody(path, fd, header, bodyStart, prefix));
}

/** The bytes of the log a segment is listed for. */
type SegmentRange = { readonly from: number; readonly to: number };

/**
 * Opens a segment once, checks its header (and that it covers `range`), and runs `read` on its
 * body; any failure is a SegmentDamagedError naming the segment.
 */
function readSegment<T>(path: string, range: SegmentRange | undefined, read: (fd: number, header: SegmentHeader, bodyStart: number) => T): T {
  const fd = openSegment(path);
  try {
    const { header, bodyStart } = readHeader(path, fd);
    if (range !== undefined && (header.from !== range.from || header.to !== range.to)) {
      throw new SegmentDamagedError(path, `covers bytes ${header.from}-${header.to} where it is listed for ${range.from}-${range.to}`);
    }
    return read(fd, header, bodyStart);
  } catch (error) {
    throw asDamaged(path, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * Every key of `keys` (exact keys) the segment holds, with its line offsets: the file opened once
 * and each fence slice holding one of them read once, in reads of at most BATCH_READ_BYTES.
 * Checked as lookupSegment checks; a damaged segment is a SegmentDamagedError.
 */
export function lookupSegmentKeys(path: string, keys: SortedKeys, range?: SegmentRange): Map<string, number[]> {
  return readSegment(path, range, (fd, header, bodyStart) => lookupBodyKeys(path, fd, header, bodyStart, keys));
}

/** Bound on one read of a batch lookup: a segment whose every slice is wanted is read in parts this big, not whole. */
const BATCH_READ_BYTES = 1024 * 1024;

/** The keys of a batch lookup, sorted, and as a set: made once for every segment it reads. */
export interface SortedKeys {
  readonly sorted: readonly string[];
  readonly set: ReadonlySet<string>;
}

export function sortedKeys(ids: readonly string[]): SortedKeys {
  const set = new Set(ids);
  return { sorted: [...set].sort(), set };
}

/** Index of the first of `sorted` not before `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? '') < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The fence slices that may hold one of the keys: per slice, one binary search of the sorted keys
 * for its range. Going the other way (a search of the fence per key) cost every segment the whole
 * batch: 160k ids over 940 segments took 108 s.
 */
function slicesHolding(fence: SegmentHeader['fence'], sorted: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < fence.length; i++) {
    const at = lowerBound(sorted, fence[i]?.[0] ?? '');
    const next = fence[i + 1]?.[0];
    const key = sorted[at];
    if (key !== undefined && (next === undefined || key < next)) out.push(i);
  }
  return out;
}

function lookupBodyKeys(path: string, fd: number, header: SegmentHeader, bodyStart: number, keys: SortedKeys): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const { fence } = header;
  if (fence.length === 0 || keys.sorted.length === 0) return out;
  const wanted = keys.set;
  const slices = slicesHolding(fence, keys.sorted);
  let k = 0;
  while (k < slices.length) {
    // Adjacent slices are read together, up to BATCH_READ_BYTES (a single slice may be more).
    const first = slices[k] ?? 0;
    let last = first + 1;
    k++;
    while (k < slices.length && slices[k] === last && sliceStart(header, last + 1) - sliceStart(header, first) <= BATCH_READ_BYTES) {
      last++;
      k++;
    }
    readSlices(path, fd, header, bodyStart, { first, last }, (key) => wanted.has(key), out);
  }
  return out;
}

/**
 * Where fence slice `i` starts in the body; the body's end for `i` past the last slice. Without a
 * fence (a segment of no keys) the body starts at 0: a body there is damage, found by reading it.
 */
function sliceStart(header: SegmentHeader, i: number): number {
  if (i < header.fence.length) return header.fence[i]?.[1] ?? header.bodyBytes;
  return i === 0 ? 0 : header.bodyBytes;
}

/**
 * Reads fence slices `first` up to (not including) `last`, checks they hold whole lines of sorted
 * keys starting at the fence key, and puts each key `wants` into `out` with its (checked) offsets.
 * Offsets are read for the keys asked for only: the others are none of this query's business.
 */
function readSlices(path: string, fd: number, header: SegmentHeader, bodyStart: number, slices: { readonly first: number; readonly last: number }, wants: (key: string) => boolean, out: Map<string, number[]>): void {
  const { fence } = header;
  const { first, last } = slices;
  checkFenceSlice(path, fence, first, last, header.bodyBytes);
  const start = sliceStart(header, first);
  const end = sliceStart(header, last);
  if (end <= start) return;
  const bytes = readAt(fd, bodyStart + start, end - start);
  // A slice starts at a fence key and ends at the next one (or the body's end): whole lines only.
  if (bytes.length !== end - start || bytes[bytes.length - 1] !== 10) throw new SegmentDamagedError(path, 'body is cut short');
  const text = bytes.toString('utf8', 0, bytes.length - 1);
  let previous = '';
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    const key = line.slice(0, tab);
    if (tab <= 0 || (previous === '' ? key !== fence[first]?.[0] : key <= previous)) throw new SegmentDamagedError(path, 'body line is not a sorted key');
    previous = key;
    if (!wants(key)) continue;
    const offsets = line.slice(tab + 1).split(',').map(Number);
    if (!offsets.every((o) => Number.isInteger(o) && o >= header.from && o < header.to)) throw new SegmentDamagedError(path, 'body line has offsets outside the segment');
    out.set(key, offsets);
  }
}

function lookupBody(path: string, fd: number, header: SegmentHeader, bodyStart: number, prefix: string): Map<string, number[]> {
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
  readSlices(path, fd, header, bodyStart, { first, last }, (key) => key.startsWith(prefix), out);
  return out;
}
