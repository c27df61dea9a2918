import { createReadStream, createWriteStream, readdirSync, unlinkSync } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { parseRotatedName } from './rotated-name.js';


export interface RotatedCompressionOptions {
  /**
   * How long after its last write a rotated file is left alone. Another writer of the channel (the
   * watchdog thread writes system.jsonl every 30 s; `tradetrace alerts` writes alerts.jsonl) appends
   * to the renamed file until its next write shows it the rotation: compressing before then would
   * drop that line, so the plain file is also checked unchanged before it is removed.
   */
  readonly graceMs: number;
  /** A file that could not be compressed (disk full, EACCES): it stays as it was; trading goes on. */
  readonly onFailure: (path: string, error: unknown) => void;
}

interface Unchanged {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** A late append landed in the rotated file while it was compressed: it is compressed again later. */
class ChangedMeanwhile extends Error {
  readonly code = 'changed_meanwhile';
}

function sameFile(a: Unchanged, b: Unchanged): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone, or cleaned at the next start.
  }
}

/** Do the plain file and the .gz hold the same bytes? Both streamed, so memory stays small. */
async function gzipHolds(gzPath: string, plainPath: string, signal: AbortSignal): Promise<boolean> {
  const plain = await open(plainPath, 'r');
  try {
    let offset = 0;
    let equal = true;
    const gunzip = createGunzip();
    await pipeline(createReadStream(gzPath, { signal }), gunzip, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        if (!equal) continue;
        const expected = Buffer.alloc(chunk.length);
        const { bytesRead } = await plain.read(expected, 0, chunk.length, offset);
        if (bytesRead !== chunk.length || !expected.equals(chunk)) equal = false;
        offset += chunk.length;
      }
    });
    return equal && (await plain.stat()).size === offset;
  } finally {
    await plain.close();
  }
}

/**
 * Gzips the rotated log files in the background, one at a time (zlib runs on libuv's thread pool,
 * off the event loop): `<name>.jsonl` → `<name>.jsonl.gz.tmp` → fsync → `<name>.jsonl.gz` → the
 * plain file removed. A crash at any step leaves the plain file (readers leave a .gz beside it
 * out) plus at most a complete .gz or a stray .tmp, which `recover` finishes or removes at the next
 * start: no line is ever lost or read twice.
 */
export class RotatedCompression {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private closed = false;
  private compressing: string | undefined;

  constructor(
    readonly logsDir: string,
    private readonly options: RotatedCompressionOptions,
  ) {}

  /**
   * At start: removes stray .tmp files now, and queues every rotated plain file (one with a .gz
   * beside it included: the .gz is checked to hold the same bytes before the plain file goes) for
   * a grace period from now, not from its last write: a restart reads the newest rotated decisions
   * file for where the killed session stopped (lastDecidedBars) right after this, which costs far
   * less while it is still plain (read backwards, not unzipped from its start).
   */
  recover(): void {
    let names: string[];
    try {
      names = readdirSync(this.logsDir);
    } catch {
      return;
    }
    for (const name of names) {
      // Only the files our rotation names, never logrotate's.
      const rotated = parseRotatedName(name);
      if (rotated?.form === 'partial') {
        try {
          unlinkSync(join(this.logsDir, name));
        } catch (error) {
          this.options.onFailure(join(this.logsDir, name), error);
        }
        continue;
      }
      if (rotated?.form === 'plain') this.schedule(join(this.logsDir, name));
    }
  }

  /** Compresses `path` (a file just rotated) once the grace period has passed. */
  schedule(path: string, delayMs = this.options.graceMs): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      this.enqueue(path);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(path);
    }, delayMs);
    // A pending compression never keeps the process alive: the next start does it.
    timer.unref();
    this.timers.add(timer);
  }

  /** The rotated plain file being compressed now, if any: not to be deleted under it. */
  get inProgress(): string | undefined {
    return this.compressing;
  }

  /** Resolves once nothing is queued or being compressed (timers still waiting are not waited for). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops at once: the file being compressed stays plain, its .tmp is removed now or at the next start. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.abort.abort();
  }

  private enqueue(path: string): void {
    if (this.closed || this.queued.has(path)) return;
    this.queued.add(path);
    this.queue.push(path);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (let path = this.queue.shift(); path !== undefined && !this.closed; path = this.queue.shift()) {
      this.queued.delete(path);
      this.compressing = path;
      try {
        await this.compress(path);
      } catch (error) {
        if (this.closed) return;
        if (error instanceof ChangedMeanwhile) this.schedule(path);
        else this.options.onFailure(path, error);
      } finally {
        this.compressing = undefined;
      }
    }
  }

  private async compress(path: string): Promise<void> {
    const gzPath = `${path}.gz`;
    const tmpPath = `${gzPath}.tmp`;
    const signal = this.abort.signal;
    const before = await stat(path).catch(() => undefined);
    // Gone (an operator deleted or compressed it): nothing left to do.
    if (!before) return;
    const existing = await stat(gzPath).catch(() => undefined);
    if (existing) {
      // A crash between the rename and the unlink (or an operator's `gzip -k`). The plain
      // file goes only if the .gz holds exactly its bytes; otherwise (a late append) the .gz,
      // which no reader reads while the plain file exists, is made again.
      if (await gzipHolds(gzPath, path, signal)) {
        await unlink(path);
        return;
      }
      await unlink(gzPath);
    }
    try {
      await pipeline(createReadStream(path, { signal }), createGzip(), createWriteStream(tmpPath, { flags: 'wx', mode: 0o640 }), { signal });
      await fsyncPath(tmpPath);
      if (!sameFile(before, await stat(path))) throw new ChangedMeanwhile(`${path} was appended to while it was compressed`);
      await rename(tmpPath, gzPath);
    } catch (error) {
      await unlinkQuietly(tmpPath);
      throw error;
    }
    await fsyncPath(this.logsDir);
    if (!sameFile(before, await stat(path))) {
      // Readers still read the plain file, which holds the late line; the stale .gz goes.
      await unlinkQuietly(gzPath);
      throw new ChangedMeanwhile(`${path} was appended to while it was compressed`);
    }
    await unlink(path);
  }
}
