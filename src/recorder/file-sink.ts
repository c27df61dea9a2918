import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { channelFileName, type Channel } from './channels.js';
import { errnoOf, rotateIfStill } from './file-rotation.js';
import { whyNoDirectory } from './make-directories.js';
import type { LineSink } from './line-sink.js';
import { pruneRotated, type PruneOutcome, type RetentionPolicy } from './log-retention.js';
import { RecorderError } from './recorder-error.js';
import { outsideTrace } from './trace-context.js';
import { RotatedCompression, type RotatedCompressionOptions } from './rotated-compression.js';

export type RecorderMode = 'durable' | 'buffered';

export interface FileSinkOptions {
  /** `durable` (default): one write per line. `buffered`: batched, flushed at barriers, per tick, at 64 KB and at exit. */
  readonly mode?: RecorderMode;
  /** Rotate a channel's file once it grows past this many bytes (default 256 MiB). */
  readonly rotateBytes?: number;
  /** Re-check that the path still names our file after this many lines (default 1024)... */
  readonly checkEveryLines?: number;
  /** ...or this many ms (default 100; 1 ms after a barrier line, so an ORDER_CONTEXT is verified). */
  readonly checkEveryMs?: number;
  /** Gzip each file this sink rotates, in the background; rotated files left plain by an earlier run are done at open. */
  readonly compressRotated?: RotatedCompressionOptions;
  /**
   * With compressRotated, also take at open what earlier runs left: rotated files still plain, stray
   * `.gz.tmp` files (default true). False for a second writer of the same logs (the watchdog
   * thread) whose main sink does that: two compressions of one file at once fail each other (the
   * second's exclusive create of the `.gz.tmp` fails and its cleanup removes the first's), and the
   * one opened later removes the other's `.tmp` in flight as stray.
   */
  readonly compressLeftovers?: boolean;
  /** Delete old rotated files: at open, after each rotation and hourly; what went (or could not) is reported. */
  readonly retention?: { readonly policy: RetentionPolicy; readonly onPruned: (outcome: PruneOutcome) => void };
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

export const BUFFER_FLUSH_BYTES = 64 * 1024;
const DEFAULT_ROTATE_BYTES = 256 * 1024 * 1024;

interface OpenChannel {
  readonly fd: number;
  readonly ino: number;
  readonly path: string;
  /** Our estimate of the file size: exact after a check, plus what we wrote since. */
  size: number;
  pending: string[];
  pendingBytes: number;
  linesSinceCheck: number;
  lastCheckMs: number;
  /** A short write (disk full) left the file ending inside a line: the next write must end it first. */
  torn: boolean;
}

// Buffered sinks still holding lines get one last synchronous flush when the process (or worker) exits.
const liveBufferedSinks = new Set<FileSink>();
let exitHookInstalled = false;

function flushAtExit(): void {
  for (const sink of liveBufferedSinks) {
    try {
      sink.flush();
    } catch (error) {
      writeSync(2, `tradetrace: buffered log lines lost at exit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

const NEWLINE = 0x0a;

/**
 * A file that does not end in a newline ends in a line torn by a crash or a full disk: the next
 * line appended would be glued onto it and lost with it. One newline ends it first, so the torn
 * line stays a line of its own, which readers skip and report. Returns the bytes written.
 */
function endTornLine(fd: number, size: number): number {
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  if (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === NEWLINE) return 0;
  return writeSync(fd, '\n');
}

/** The lines of `lines` (in order) left once the first `landed` bytes of their concatenation are on disk: a line partly there is kept. */
function linesNotLanded(lines: readonly string[], landed: number): string[] {
  let left = landed;
  let whole = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line);
    if (size > left) break;
    left -= size;
    whole++;
  }
  return lines.slice(whole);
}

/**
 * Appends lines to `<logsDir>/<channel>.jsonl`. Files are opened O_APPEND and each line (durable)
 * or batch of whole lines (buffered) is one write, so lines land whole after whatever any other
 * writer (a worker thread, another process) appended, never interleaved with theirs.
 *
 * Every few lines or milliseconds the sink checks that the path still names the file it holds:
 * if another writer rotated it, the sink reopens; if the file was deleted (or its directory
 * removed), lines went nowhere, so the write throws.
 *
 * A writer idle for longer than that checks before it writes, not only after: another writer may
 * have rotated the file meanwhile, and once the rotated file is compressed (its plain file
 * removed) a line written into it would be lost. A timer checks the last lines of a burst, so an
 * idle writer holds no unchecked line: its file removed later (compressed, or deleted by an
 * operator after the lines were in it) is reopened, not reported as lost lines.
 */
export class FileSink implements LineSink {
  private readonly channels = new Map<Channel, OpenChannel>();
  private readonly mode: RecorderMode;
  private readonly durable: boolean;
  private readonly rotateBytes: number;
  private readonly checkEveryLines: number;
  private readonly checkEveryMs: number;
  /** Undefined when rotated files stay plain. */
  readonly compression: RotatedCompression | undefined;
  private closed = false;
  private flushScheduled = false;
  private recheck: NodeJS.Timeout | undefined;
  private readonly retention: FileSinkOptions['retention'];
  private pruneScheduled = false;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** A deferred (per-tick) flush failed: its lines are still pending and the next write must hear of it. */
  private deferredFailure: RecorderError | undefined;
  /** A timer's check found lines that reached no file: nothing to retry, but the next write or flush must hear of it. */
  private lostMeanwhile: RecorderError | undefined;

  constructor(
    readonly logsDir: string,
    options: FileSinkOptions = {},
  ) {
    this.mode = options.mode ?? 'durable';
    this.durable = this.mode === 'durable';
    this.rotateBytes = options.rotateBytes ?? DEFAULT_ROTATE_BYTES;
    this.checkEveryLines = options.checkEveryLines ?? 1024;
    this.checkEveryMs = options.checkEveryMs ?? 100;
    try {
      mkdirSync(logsDir, { recursive: true });
    } catch (error) {
      // A file where logs/ should be gave "EEXIST: file already exists, mkdir", which reads as if all were well.
      const why = whyNoDirectory(logsDir) ?? String(error);
      throw new RecorderError('open_failed', `cannot create log directory ${logsDir}: ${why}`, { path: logsDir, errno: errnoOf(error) }, { cause: error });
    }
    this.compression = options.compressRotated ? new RotatedCompression(logsDir, options.compressRotated) : undefined;
    if (options.compressLeftovers ?? true) this.compression?.recover();
    this.retention = options.retention;
    if (this.retention) {
      this.schedulePrune();
      // A bot that rarely rotates still lets files age past the limit: they go within the hour.
      this.pruneTimer = setInterval(() => this.schedulePrune(), PRUNE_EVERY_MS);
      this.pruneTimer.unref();
    }
    if (this.mode === 'buffered') {
      liveBufferedSinks.add(this);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', flushAtExit);
      }
    }
  }

  private open(channel: Channel): OpenChannel {
    const path = join(this.logsDir, channelFileName(channel));
    try {
      const fd = openSync(path, 'a+', 0o640);
      const stat = fstatSync(fd);
      const size = stat.size + endTornLine(fd, stat.size);
      const opened: OpenChannel = { fd, ino: stat.ino, path, size, pending: [], pendingBytes: 0, linesSinceCheck: 0, lastCheckMs: Date.now(), torn: false };
      this.channels.set(channel, opened);
      return opened;
    } catch (error) {
      throw new RecorderError('open_failed', `cannot open ${path} for append: ${String(error)}`, { channel, path, errno: errnoOf(error) }, { cause: error });
    }
  }

  write(channel: Channel, line: string, barrier: boolean, wallMs?: number): void {
    if (this.closed) throw new RecorderError('closed', `recorder is closed; cannot write to ${channel}`, { channel });
    this.throwLostMeanwhile();
    const target = this.channels.get(channel) ?? this.open(channel);
    if (this.durable) {
      this.append(channel, this.checkedIfIdle(channel, target, wallMs ?? Date.now()), line, barrier, wallMs);
      return;
    }
    if (this.deferredFailure) this.retryDeferred();
    target.pending.push(line);
    target.pendingBytes += line.length;
    if (barrier) {
      this.flush();
    } else if (target.pendingBytes >= BUFFER_FLUSH_BYTES) {
      this.flushChannel(channel, target, false);
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.deferredFlush);
    }
  }

  /** The channel's file as it is now, if the last check is older than checkEveryMs (see the class comment). */
  private checkedIfIdle(channel: Channel, target: OpenChannel, nowMs: number): OpenChannel {
    if (nowMs - target.lastCheckMs < this.checkEveryMs) return target;
    this.check(channel, target);
    const current = this.channels.get(channel);
    if (current) return current;
    const reopened = this.open(channel);
    // Buffered lines not yet written belong to the channel, not to the file they were meant for.
    reopened.pending = target.pending;
    reopened.pendingBytes = target.pendingBytes;
    return reopened;
  }

  /** Lines written since the last check get one within checkEveryMs, even if no other line follows them. */
  private armRecheck(): void {
    if (this.recheck || this.closed) return;
    this.recheck = setTimeout(this.recheckIdle, this.checkEveryMs);
    // Never keeps the process alive: at exit the lines are where they are.
    this.recheck.unref();
  }

  private readonly recheckIdle = (): void => {
    this.recheck = undefined;
    if (this.closed) return;
    const now = Date.now();
    for (const [channel, target] of [...this.channels]) {
      // Lines still pending (a buffered flush that failed) are the flush's to check: it carries them
      // over to a reopened file, which a check from here would leave behind with the old one.
      if (target.linesSinceCheck === 0 || target.pending.length > 0) continue;
      if (now - target.lastCheckMs < this.checkEveryMs) {
        this.armRecheck();
        continue;
      }
      try {
        this.check(channel, target);
      } catch (error) {
        // No caller in a timer: the next write or flush throws it, so the loss is not missed.
        this.lostMeanwhile ??= error instanceof RecorderError ? error : new RecorderError('write_failed', String(error), { channel, path: target.path }, { cause: error });
      }
    }
  };

  private throwLostMeanwhile(): void {
    const lost = this.lostMeanwhile;
    if (!lost) return;
    this.lostMeanwhile = undefined;
    throw lost;
  }

  private readonly deferredFlush = (): void => {
    this.flushScheduled = false;
    if (this.closed) return;
    try {
      this.flush();
    } catch (error) {
      // No caller to throw to in a timer: keep the lines pending and fail the next write or flush.
      this.deferredFailure = error instanceof RecorderError ? error : new RecorderError('write_failed', String(error), {}, { cause: error });
    }
  };

  private retryDeferred(): void {
    const failure = this.deferredFailure;
    this.deferredFailure = undefined;
    try {
      this.flush();
    } catch (error) {
      this.deferredFailure = failure;
      throw error;
    }
  }

  private append(channel: Channel, target: OpenChannel, text: string, barrier: boolean, wallMs?: number): void {
    // After a short write the file ends inside a line: the newline that ends it goes in the same
    // write as the next line, so no other line can be glued onto the fragment in between.
    const out = target.torn ? `\n${text}` : text;
    let written: number;
    try {
      // A string, not a Buffer: writeSync encodes into its own scratch memory, one allocation fewer per line.
      written = writeSync(target.fd, out);
    } catch (error) {
      // Nothing reached the file (a regular file reports a partial write as a short count): it ends as it did.
      throw new RecorderError('write_failed', `cannot write to ${target.path}: ${String(error)}`, { channel, path: target.path, errno: errnoOf(error) }, { cause: error });
    }
    // Bytes, not characters: a short write of a non-ASCII line can land as many bytes as it has characters.
    if (written !== Buffer.byteLength(out)) this.shortWrite(channel, target, out, written);
    target.torn = false;
    target.size += written;
    if (++target.linesSinceCheck >= this.checkEveryLines || target.size >= this.rotateBytes) {
      this.check(channel, target);
    } else {
      // The recorder's stamp was read just before this line was built: at most a write earlier than
      // a fresh reading, so a check can come that much later, never early.
      const elapsed = (wallMs ?? Date.now()) - target.lastCheckMs;
      if (elapsed >= this.checkEveryMs || (barrier && elapsed >= 1)) this.check(channel, target);
      else this.armRecheck();
    }
  }

  /**
   * Only the first `written` bytes of `out` reached the file (the disk filled up). Notes whether the
   * file now ends inside a line and, in buffered mode, forgets the pending lines that landed whole,
   * so a retry writes the torn line again whole after the fragment and no line twice. Always throws.
   */
  private shortWrite(channel: Channel, target: OpenChannel, out: string, written: number): never {
    const bytes = Buffer.from(out);
    const prefix = target.torn ? 1 : 0;
    target.size += written;
    if (written > 0) target.torn = bytes[written - 1] !== NEWLINE;
    if (!this.durable) {
      // In buffered mode `out` is the channel's pending lines, joined (see flushChannel).
      target.pending = linesNotLanded(target.pending, written - prefix);
      target.pendingBytes = target.pending.reduce((sum, line) => sum + line.length, 0);
    }
    throw new RecorderError('short_write', `only ${written} of ${bytes.length} bytes reached ${target.path} (disk full?)`, { channel, path: target.path, errno: 'ENOSPC' });
  }

  /** Is our file still the one at the path, and is it due for rotation? */
  private check(channel: Channel, target: OpenChannel): void {
    const unchecked = target.linesSinceCheck;
    target.linesSinceCheck = 0;
    target.lastCheckMs = Date.now();
    const outcome = rotateIfStill(target.path, target.fd, target.ino, this.rotateBytes, channel);
    if (outcome.kind === 'current') {
      target.size = outcome.size;
      return;
    }
    this.channels.delete(channel);
    closeSync(target.fd);
    // Every line was seen in a named file by an earlier check: whoever removed the file since
    // (a compression of a file another writer rotated, an operator) removed it with them in it.
    if (outcome.kind === 'removed' && unchecked > 0) {
      throw new RecorderError(
        'write_failed',
        `${target.path} was deleted (or its directory removed) while open: recent lines did not reach any file`,
        { channel, path: target.path, errno: 'ENOENT' },
      );
    }
    // 'moved' or 'rotated' (or removed after every line was seen in it): the next write opens the path.
    if (outcome.kind === 'rotated') {
      // A rotation happens inside whatever line made the file pass the size, often a decision's: the
      // compression and the retention that follow (and the LOG lines they write) are no part of it.
      outsideTrace(() => {
        this.compression?.schedule(outcome.rotatedTo);
        this.schedulePrune();
      });
    }
  }

  /** Off the write path (and out of the recorder's emit, which onPruned may call back into). */
  private schedulePrune(): void {
    if (!this.retention || this.pruneScheduled || this.closed) return;
    this.pruneScheduled = true;
    setImmediate(() => {
      this.pruneScheduled = false;
      const retention = this.retention;
      if (this.closed || !retention) return;
      const busy = this.compression?.inProgress;
      const outcome = pruneRotated(this.logsDir, retention.policy, Date.now(), new Set(busy === undefined ? [] : [busy]));
      if (outcome.deleted.length > 0 || outcome.failures.length > 0) retention.onPruned(outcome);
    });
  }

  private flushChannel(channel: Channel, target: OpenChannel, barrier: boolean): void {
    if (target.pending.length === 0) return;
    const current = this.checkedIfIdle(channel, target, Date.now());
    const text = current.pending.length === 1 ? (current.pending[0] ?? '') : current.pending.join('');
    // Only forget the lines once the write succeeded: a failed flush can be retried.
    this.append(channel, current, text, barrier);
    current.pending = [];
    current.pendingBytes = 0;
  }

  flush(): void {
    this.throwLostMeanwhile();
    for (const [channel, target] of this.channels) this.flushChannel(channel, target, true);
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      clearTimeout(this.recheck);
      clearInterval(this.pruneTimer);
      // Not waited for: a compression cut short leaves the plain file, done at the next start.
      this.compression?.close();
      liveBufferedSinks.delete(this);
      for (const target of this.channels.values()) closeSync(target.fd);
      this.channels.clear();
    }
  }
}
