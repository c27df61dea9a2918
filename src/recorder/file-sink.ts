import { closeSync, fstatSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { channelFileName, type Channel } from './channels.js';
import type { LineSink } from './line-sink.js';
import { RecorderError } from './recorder-error.js';

export type RecorderMode = 'durable' | 'buffered';

export interface FileSinkOptions {
  /** `durable` (default): one write per line. `buffered`: batched, flushed at barriers, per tick and at 64 KB. */
  readonly mode?: RecorderMode;
  /** Rotate a channel's file once it grows past this many bytes (default 256 MiB). */
  readonly rotateBytes?: number;
}

const BUFFER_FLUSH_BYTES = 64 * 1024;
const DEFAULT_ROTATE_BYTES = 256 * 1024 * 1024;

interface OpenChannel {
  fd: number;
  readonly path: string;
  size: number;
  pending: string[];
  pendingBytes: number;
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error).code) : undefined;
}

/**
 * Appends lines to `<logsDir>/<channel>.jsonl`. Files are opened O_APPEND, so each line's single
 * write lands whole after whatever any other writer (a worker thread, another process) appended.
 */
export class FileSink implements LineSink {
  private readonly channels = new Map<Channel, OpenChannel>();
  private readonly mode: RecorderMode;
  private readonly rotateBytes: number;
  private closed = false;
  private flushScheduled = false;

  constructor(
    readonly logsDir: string,
    options: FileSinkOptions = {},
  ) {
    this.mode = options.mode ?? 'durable';
    this.rotateBytes = options.rotateBytes ?? DEFAULT_ROTATE_BYTES;
    try {
      mkdirSync(logsDir, { recursive: true });
    } catch (error) {
      throw new RecorderError('open_failed', `cannot create log directory ${logsDir}: ${String(error)}`, { path: logsDir, errno: errnoOf(error) }, { cause: error });
    }
  }

  private open(channel: Channel): OpenChannel {
    const existing = this.channels.get(channel);
    if (existing) return existing;
    const path = join(this.logsDir, channelFileName(channel));
    try {
      const fd = openSync(path, 'a', 0o640);
      const opened: OpenChannel = { fd, path, size: fstatSync(fd).size, pending: [], pendingBytes: 0 };
      this.channels.set(channel, opened);
      return opened;
    } catch (error) {
      throw new RecorderError('open_failed', `cannot open ${path} for append: ${String(error)}`, { channel, path, errno: errnoOf(error) }, { cause: error });
    }
  }

  write(channel: Channel, line: string, barrier: boolean): void {
    if (this.closed) throw new RecorderError('closed', `recorder is closed; cannot write to ${channel}`, { channel });
    const target = this.open(channel);
    if (this.mode === 'durable') {
      this.append(channel, target, line);
      return;
    }
    target.pending.push(line);
    target.pendingBytes += line.length;
    if (barrier) {
      this.flush();
    } else if (target.pendingBytes >= BUFFER_FLUSH_BYTES) {
      this.flushChannel(channel, target);
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (!this.closed) this.flush();
      });
    }
  }

  private append(channel: Channel, target: OpenChannel, text: string): void {
    const data = Buffer.from(text, 'utf8');
    let written: number;
    try {
      written = writeSync(target.fd, data);
    } catch (error) {
      throw new RecorderError('write_failed', `cannot write to ${target.path}: ${String(error)}`, { channel, path: target.path, errno: errnoOf(error) }, { cause: error });
    }
    if (written !== data.length) {
      throw new RecorderError('short_write', `only ${written} of ${data.length} bytes reached ${target.path} (disk full?)`, { channel, path: target.path });
    }
    target.size += written;
    if (target.size >= this.rotateBytes) this.rotate(channel, target);
  }

  private flushChannel(channel: Channel, target: OpenChannel): void {
    if (target.pending.length === 0) return;
    const text = target.pending.join('');
    target.pending = [];
    target.pendingBytes = 0;
    this.append(channel, target, text);
  }

  flush(): void {
    for (const [channel, target] of this.channels) this.flushChannel(channel, target);
  }

  /** Renames the full file to `<channel>.<UTC stamp>.jsonl`, which readers (and `logs/*.jsonl` globs) still find. */
  private rotate(channel: Channel, target: OpenChannel): void {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
    const rotated = join(this.logsDir, `${channel}.${stamp}.jsonl`);
    try {
      // Another writer may have rotated first; rotate only the file we are actually writing to.
      if (statSync(target.path).ino === fstatSync(target.fd).ino) renameSync(target.path, rotated);
    } catch (error) {
      throw new RecorderError('write_failed', `cannot rotate ${target.path}: ${String(error)}`, { channel, path: target.path, errno: errnoOf(error) }, { cause: error });
    }
    closeSync(target.fd);
    this.channels.delete(channel);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    for (const target of this.channels.values()) closeSync(target.fd);
    this.channels.clear();
  }
}
