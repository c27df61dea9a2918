import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { constants as zlib, gunzipSync } from 'node:zlib';
import type { LogFile } from '../../recorder/log-files.js';
import { LogReadError, toLogReadError } from '../log-read-error.js';
import type { LogSet } from '../query/log-set.js';
import { noteUnreadableFile, unreadableFile, type UnreadableFile } from '../query/unreadable-files.js';
import { NOT_A_LOG_LINE, type SkippedLine } from '../query/skipped-lines.js';
import { runInWorker } from '../scan/spawn-worker.js';
import { workerError } from '../scan/worker-failure.js';
import { buildGzip, buildSegmentSync, lastLineEnd, lineCuts, type BuildTask } from './build-segment.js';
import { extractRegion } from './id-extract.js';
import type { IndexWorkerResponse } from './index-worker.js';
import { lookupSegment, lookupSegmentKeys, SegmentDamagedError, sortedKeys, writeSegment, type SegmentHeader } from './segment.js';

/**
 * The incremental id index under `<data-dir>/index/`: per log file (named by device and inode, so a
 * rotated file keeps its index), sorted segments mapping decision_id / intent_id to line offsets.
 * Growth is indexed as a new segment; a file whose first bytes changed or that shrank (truncated,
 * replaced) is re-indexed from scratch. A torn last line is never indexed until it is whole.
 */
interface SegmentRef {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly lines: number;
  readonly malformed: SegmentHeader['malformed'];
}

interface FileMeta {
  readonly v: 1;
  readonly path: string;
  readonly gzipped: boolean;
  readonly headLength: number;
  readonly head: string;
  readonly size: number;
  readonly indexedTo: number;
  readonly segments: SegmentRef[];
  /**
   * A .gz whose gzip data ends early or is damaged: its segment covers the bytes that could be
   * unzipped, and every query that uses it says the file could not be read to its end.
   */
  readonly unreadable?: Pick<UnreadableFile, 'errno' | 'reason' | 'readBytes'>;
}

export interface IndexedFile {
  readonly file: LogFile;
  readonly meta: FileMeta;
  readonly base: string;
}

export interface IndexOptions {
  /** Threads for building (this one included). */
  readonly parallelism?: number;
  /** Told (once per prepare or lookup) which log files' index segments were damaged and rebuilt; default: a line on stderr. */
  readonly onDamaged?: (paths: readonly string[]) => void;
  /** Told of each index segment a lookup reads (its file name): what a lookup costs, counted. */
  readonly onSegmentRead?: (segment: string) => void;
}

function noteDamaged(paths: readonly string[]): void {
  process.stderr.write(`tradetrace: the index segment${paths.length === 1 ? '' : 's'} for ${paths.join(', ')} ${paths.length === 1 ? 'was' : 'were'} damaged and rebuilt\n`);
}

const HEAD_BYTES = 4096;
// A segment's postings are held in memory until written: 16 MB of log per segment keeps the first
// build of 1 GB at ~270 MB peak RSS (64 MB segments: ~410 MB), and lookups stay under 20 ms.
const SEGMENT_MAX = 16 * 1024 * 1024;
const SMALL_SEGMENT = 4 * 1024 * 1024;
const PARALLEL_MIN_BYTES = 48 * 1024 * 1024;
/**
 * Index files no metadata of this query lists (another query's segments written before its metadata,
 * a temporary file being written) are only removed once this old: a query that is still building can
 * own them. A first build of a large log writes its segments minutes before its metadata.
 */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

function headHash(path: string, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, 0);
    return createHash('sha1').update(buffer.subarray(0, n)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

function parseMeta(text: string | null): FileMeta | null {
  if (text === null) return null;
  try {
    const meta = JSON.parse(text) as FileMeta;
    return meta !== null && typeof meta === 'object' && meta.v === 1 && Array.isArray(meta.segments) ? meta : null;
  } catch {
    return null;
  }
}

function readMetaText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readMeta(path: string): FileMeta | null {
  return parseMeta(readMetaText(path));
}

/** The segment names a metadata file lists that are this log file's (never a path elsewhere). */
function segmentNames(base: string, meta: FileMeta | null): string[] {
  const names: string[] = [];
  for (const s of meta?.segments ?? []) {
    const name: unknown = (s as Partial<SegmentRef> | null)?.name;
    if (typeof name === 'string' && name.startsWith(`${base}.`) && !name.includes('/') && !name.includes(sep)) names.push(name);
  }
  return names;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (another query cleaned up first).
  }
}

/**
 * Whether a segment file is there, named as this log file's, and not empty. Only that: reading each
 * segment's header here, on every query, cost more than the lookup itself (a query took 37% longer).
 * What a segment holds is checked where it is read (lookupSegment): a damaged one is answered from
 * the log file and rewritten there.
 */
function segmentIntact(dir: string, base: string, ref: SegmentRef): boolean {
  if (typeof ref.name !== 'string' || !ref.name.startsWith(`${base}.`) || ref.name.includes('/') || ref.name.includes(sep) || !Array.isArray(ref.malformed)) return false;
  const st = statSync(join(dir, ref.name), { throwIfNoEntry: false });
  return st !== undefined && st.isFile() && st.size > 0;
}

/** Segments that follow one another from 0 to indexedTo, each one intact. */
function segmentsIntact(dir: string, base: string, meta: FileMeta): boolean {
  let at = 0;
  for (const ref of meta.segments) {
    if (ref === null || typeof ref !== 'object' || ref.from !== at || !(ref.to >= ref.from)) return false;
    at = ref.to;
  }
  return at === meta.indexedTo && meta.segments.every((ref) => segmentIntact(dir, base, ref));
}

/**
 * The file's index metadata when it still describes the file (same first bytes, not shrunk); else
 * null, with `stale` the metadata found. `text`: the metadata file as read. `damaged`: the metadata described the file but a segment was
 * missing or not what it says. A segment missing because another query replaced it between reading
 * the metadata and looking at the segment is no damage: the metadata is read again.
 */
function loadMeta(dir: string, file: LogFile, size: number): { base: string; meta: FileMeta | null; stale: FileMeta | null; damaged: boolean; text: string | null } {
  const st = statSync(file.path);
  const base = `${st.dev}-${st.ino}`;
  const path = join(dir, `${base}.json`);
  let text = readMetaText(path);
  for (let attempt = 0; ; attempt++) {
    const meta = parseMeta(text);
    const valid = meta !== null && meta.gzipped === file.gzipped && (file.gzipped ? meta.size === size : size >= meta.indexedTo) && headHash(file.path, meta.headLength) === meta.head;
    if (!valid) return { base, meta: null, stale: meta, damaged: false, text };
    if (segmentsIntact(dir, base, meta)) return { base, meta, stale: null, damaged: false, text };
    const again = readMetaText(path);
    if (again === text || attempt >= 3) return { base, meta: null, stale: meta, damaged: true, text };
    text = again;
  }
}

export class LogIndex {
  /** Bytes of the log set the index does not cover yet (all of it when there is no index). */
  static pendingBytes(set: LogSet): number {
    const dir = join(set.dataDir, 'index');
    let pending = 0;
    for (const file of set.files) {
      const size = set.sizes.get(file.path) ?? 0;
      const { meta } = loadMeta(dir, file, size);
      pending += meta ? (file.gzipped ? 0 : size - meta.indexedTo) : size;
    }
    return pending;
  }

  private constructor(
    readonly dir: string,
    readonly files: readonly IndexedFile[],
    private readonly onDamaged: (paths: readonly string[]) => void,
    private readonly onSegmentRead: ((segment: string) => void) | undefined,
  ) {}

  /** Brings the index up to date with the log set; null when the index directory cannot be written. */
  static async prepare(set: LogSet, options: IndexOptions = {}): Promise<LogIndex | null> {
    const dir = join(set.dataDir, 'index');
    try {
      mkdirSync(dir, { recursive: true });
      return await LogIndex.build(set, dir, options);
    } catch (error) {
      // An index that cannot be written (a data directory the reader may not write, a full disk) only
      // costs speed: the query scans instead. A log file that cannot be read is the query's failure.
      const path = toLogReadError(error)?.path;
      if (path !== undefined && (path === dir || path.startsWith(`${dir}${sep}`))) return null;
      throw error;
    }
  }

  private static async build(set: LogSet, dir: string, options: IndexOptions): Promise<LogIndex> {
    // `replaced`: segments this query's metadata replaces, removed once it is written. Only those: a
    // segment no metadata lists may be another query's, built and not yet listed.
    const plans: { file: LogFile; base: string; meta: FileMeta; tasks: BuildTask[]; keep: SegmentRef[]; replaced: string[]; loaded: string | null }[] = [];
    const damaged: string[] = [];
    for (const file of set.files) {
      const size = set.sizes.get(file.path) ?? 0;
      const { base, meta, stale, damaged: broken, text: loaded } = loadMeta(dir, file, size);
      const cut = meta?.unreadable;
      if (cut) noteUnreadableFile(new LogReadError(file.path, cut.errno, cut.reason), cut.readBytes);
      // A damaged segment makes the file's whole index untrustworthy: it is indexed again from scratch.
      if (broken) damaged.push(file.path);
      const replaced = meta ? [] : segmentNames(base, stale);
      let keep = meta?.segments ?? [];
      let from = meta?.indexedTo ?? 0;
      const tasks: BuildTask[] = [];
      if (file.gzipped) {
        if (!meta) tasks.push({ logPath: file.path, gzipped: true, from: 0, to: size, segmentPath: join(dir, `${base}.gz.seg`) });
      } else {
        const to = lastLineEnd(file.path, from, size);
        if (to > from) {
          const last = keep[keep.length - 1];
          // Many small queries on a growing file would leave many tiny segments: regrow the last one.
          if (last && last.to - last.from < SMALL_SEGMENT) {
            from = last.from;
            keep = keep.slice(0, -1);
            replaced.push(last.name);
          }
          const cuts = lineCuts(file.path, from, to, SEGMENT_MAX);
          for (let i = 0; i + 1 < cuts.length; i++) {
            const [a, b] = [cuts[i] ?? 0, cuts[i + 1] ?? 0];
            tasks.push({ logPath: file.path, gzipped: false, from: a, to: b, segmentPath: join(dir, `${base}.${a}-${b}.seg`) });
          }
        }
      }
      const headLength = Math.min(HEAD_BYTES, size);
      const fresh: FileMeta = meta ?? { v: 1, path: file.path, gzipped: file.gzipped, headLength, head: headHash(file.path, headLength), size, indexedTo: 0, segments: [] };
      const written = new Set(tasks.map((t) => t.segmentPath.slice(dir.length + 1)));
      plans.push({ file, base, meta: fresh, tasks, keep, replaced: replaced.filter((name) => !written.has(name)), loaded });
    }
    const plainTasks = plans.flatMap((p) => p.tasks.filter((t) => !t.gzipped));
    const headers = new Map<string, SegmentHeader>();
    const taskBytes = plainTasks.reduce((sum, t) => sum + t.to - t.from, 0);
    const threads = taskBytes >= PARALLEL_MIN_BYTES ? Math.max(1, options.parallelism ?? 2) : 1;
    // Task i is built by thread i % threads: this one (0) and one worker for each other share.
    const shares = Array.from({ length: threads - 1 }, (_, k) => plainTasks.filter((_, i) => i % threads === k + 1)).filter((share) => share.length > 0);
    const abort = new AbortController();
    const workers = shares.map((share) => runInWorker<BuildTask[], IndexWorkerResponse>(import.meta.url, 'index-worker', share, abort.signal));
    // When this thread's part fails first, that failure is the answer; a worker's must not crash the process as unhandled.
    for (const worker of workers) worker.catch(() => undefined);
    try {
      for (const task of plainTasks.filter((_, i) => i % threads === 0)) headers.set(task.segmentPath, buildSegmentSync(task));
      for (const task of plans.flatMap((p) => p.tasks.filter((t) => t.gzipped))) headers.set(task.segmentPath, await buildGzip(task));
    } catch (error) {
      // Left running, the worker's half of a large build would hold the CLI's exit.
      abort.abort();
      throw error;
    }
    try {
      for (const [k, worker] of workers.entries()) {
        const response = await worker;
        if (!response) throw new Error('index worker stopped before it finished');
        if (!response.ok) throw workerError(response, 'index worker');
        shares[k]?.forEach((task, i) => {
          const header = response.headers[i];
          if (header) headers.set(task.segmentPath, header);
        });
      }
    } catch (error) {
      abort.abort();
      throw error;
    }
    const indexed: IndexedFile[] = [];
    for (const plan of plans) {
      const built = plan.tasks.map((t) => {
        const h = headers.get(t.segmentPath);
        if (!h) throw new Error(`index segment ${t.segmentPath} was not built`);
        return { name: t.segmentPath.slice(dir.length + 1), from: h.from, to: h.to, lines: h.lines, malformed: h.malformed };
      });
      const segments = [...plan.keep, ...built];
      const cut = plan.file.gzipped && plan.tasks.length > 0 ? unreadableFile(plan.file.path) : undefined;
      const unreadable = cut ? { unreadable: { errno: cut.errno, reason: cut.reason, readBytes: cut.readBytes } } : {};
      const meta: FileMeta = { ...plan.meta, ...unreadable, path: plan.file.path, size: set.sizes.get(plan.file.path) ?? 0, indexedTo: segments[segments.length - 1]?.to ?? 0, segments };
      const metaPath = join(dir, `${plan.base}.json`);
      // Another query that indexed as far or further while this one built keeps its metadata: written
      // over, it would list segments that query has already replaced and removed.
      const currentText = plan.tasks.length > 0 ? readMetaText(metaPath) : null;
      const current = currentText !== plan.loaded ? parseMeta(currentText) : null;
      const further = current !== null && current.head === meta.head && current.headLength === meta.headLength && current.gzipped === meta.gzipped && current.indexedTo >= meta.indexedTo;
      if (!further && (plan.tasks.length > 0 || plan.meta.path !== plan.file.path)) {
        const tmp = join(dir, `${plan.base}.json.${process.pid}.tmp`);
        writeFileSync(tmp, JSON.stringify(meta));
        renameSync(tmp, metaPath);
      }
      const listed = new Set(segmentNames(plan.base, further ? current : meta));
      for (const name of plan.replaced) if (!listed.has(name)) removeQuietly(join(dir, name));
      indexed.push({ file: plan.file, meta, base: plan.base });
    }
    LogIndex.collectGarbage(dir, new Set(plans.map((p) => p.base)), indexed);
    const onDamaged = options.onDamaged ?? noteDamaged;
    if (damaged.length > 0) onDamaged(damaged);
    return new LogIndex(dir, indexed, onDamaged, options.onSegmentRead);
  }

  /**
   * Removes index files of log files that no longer exist (deleted, or re-gzipped under a new inode),
   * segments no metadata lists, and temporary files left by a killed query: each only once it is
   * ORPHAN_AGE_MS old, so that a query building at the same time (whose log set, or metadata, this
   * one has not seen) keeps its files.
   */
  private static collectGarbage(dir: string, live: Set<string>, indexed: readonly IndexedFile[]): void {
    const segments = new Set(indexed.flatMap((f) => f.meta.segments.map((s) => s.name)));
    const before = Date.now() - ORPHAN_AGE_MS;
    for (const name of readdirSync(dir)) {
      const base = name.split('.')[0] ?? '';
      const candidate = name.endsWith('.tmp') || !live.has(base) || (name.endsWith('.seg') && !segments.has(name));
      if (!candidate) continue;
      const st = statSync(join(dir, name), { throwIfNoEntry: false });
      if (st !== undefined && st.isFile() && st.mtimeMs < before) removeQuietly(join(dir, name));
    }
  }

  /** Every indexed id starting with `prefix`, with the files and line offsets where it appears. */
  lookup(prefix: string): Map<string, { file: LogFile; offsets: number[] }[]> {
    return this.collect(this.files, (path, segment) => lookupSegment(path, prefix, segment), (key) => key.startsWith(prefix));
  }

  /**
   * Each of `ids` (exact keys) the index holds, with the files and line offsets where it appears, as
   * `lookup(id).get(id)` answers it: each segment is opened and read once for all of them (a lookup
   * per id read every segment again: 47 ms an id over 2,790 segments), one segment at a time.
   * `files`: only these log files' segments are read (the caller wants no hit elsewhere).
   */
  lookupMany(ids: readonly string[], files?: readonly LogFile[]): Map<string, { file: LogFile; offsets: number[] }[]> {
    const keys = sortedKeys(ids);
    if (keys.sorted.length === 0) return new Map();
    const only = files === undefined ? null : new Set(files.map((f) => f.path));
    const entries = only === null ? this.files : this.files.filter((entry) => only.has(entry.file.path));
    return this.collect(entries, (path, segment) => lookupSegmentKeys(path, keys, segment), (key) => keys.set.has(key));
  }

  /** The hits of every segment of `entries`, read by `read`; a damaged segment answered from its log file's lines with a key `wants`. */
  private collect(
    entries: readonly IndexedFile[],
    read: (path: string, segment: SegmentRef) => Map<string, number[]>,
    wants: (key: string) => boolean,
  ): Map<string, { file: LogFile; offsets: number[] }[]> {
    const out = new Map<string, { file: LogFile; offsets: number[] }[]>();
    const damaged: string[] = [];
    for (const entry of entries) {
      for (const segment of entry.meta.segments) {
        let found: Map<string, number[]>;
        this.onSegmentRead?.(segment.name);
        try {
          found = read(join(this.dir, segment.name), segment);
        } catch (error) {
          if (!(error instanceof SegmentDamagedError)) throw error;
          if (error.missing && !this.stillListed(entry, segment)) {
            // Replaced by another query since prepare (the log grew and it regrew this segment, or
            // the file was re-indexed): no damage, answered from the log file's own bytes.
            found = this.fromLog(entry, segment, wants, false);
          } else {
            // Damaged since prepare (another process, a disk error) or in a way its header did not show:
            // answered from the log file's own bytes, and the segment written again from them.
            found = this.fromLog(entry, segment, wants, true);
            if (!damaged.includes(entry.file.path)) damaged.push(entry.file.path);
          }
        }
        for (const [key, offsets] of found) {
          const list = out.get(key) ?? [];
          list.push({ file: entry.file, offsets });
          out.set(key, list);
        }
      }
    }
    if (damaged.length > 0) this.onDamaged(damaged);
    return out;
  }

  /** Whether the log file's metadata on disk now still lists the segment (read again: another query may have replaced it). */
  private stillListed(entry: IndexedFile, segment: SegmentRef): boolean {
    return segmentNames(entry.base, readMeta(join(this.dir, `${entry.base}.json`))).includes(segment.name);
  }

  /** The keys `wants` in the segment's bytes of the log file, read from the log itself; `rewrite`: the segment written again from them. */
  private fromLog(entry: IndexedFile, segment: SegmentRef, wants: (key: string) => boolean, rewrite: boolean): Map<string, number[]> {
    let region: Buffer;
    // A .gz cut short unzips as far as it goes (as its segment was built); the flush keeps that part.
    if (entry.file.gzipped) region = gunzipSync(readFileSync(entry.file.path), { finishFlush: zlib.Z_SYNC_FLUSH }).subarray(segment.from, segment.to);
    else {
      const fd = openSync(entry.file.path, 'r');
      try {
        region = Buffer.allocUnsafe(segment.to - segment.from);
        let got = 0;
        while (got < region.length) {
          const n = readSync(fd, region, got, region.length - got, segment.from + got);
          if (n === 0) break;
          got += n;
        }
        region = region.subarray(0, got);
      } finally {
        closeSync(fd);
      }
    }
    const extracted = extractRegion(region, segment.from);
    try {
      if (rewrite) writeSegment(join(this.dir, segment.name), segment.from, segment.to, extracted);
    } catch {
      // An index that cannot be written only costs speed: the answer comes from the log itself.
    }
    const out = new Map<string, number[]>();
    for (const [key, offsets] of extracted.keys) if (wants(key)) out.set(key, offsets);
    return out;
  }

  /** Lines the index builder found unreadable, with exact line numbers. */
  malformed(): SkippedLine[] {
    const out: SkippedLine[] = [];
    for (const entry of this.files) {
      let first = 0;
      for (const segment of entry.meta.segments) {
        for (const m of segment.malformed) {
          out.push({ file: entry.file, offset: m.offset, code: NOT_A_LOG_LINE, message: 'line is not a recorder JSON line', excerpt: m.excerpt, lineNumber: first + m.line + 1 });
        }
        first += segment.lines;
      }
    }
    return out;
  }

  get lineCount(): number {
    return this.files.reduce((sum, f) => sum + f.meta.segments.reduce((s, g) => s + g.lines, 0), 0);
  }
}
