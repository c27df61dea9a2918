import { Writable } from 'node:stream';

/** At most this many writes are held; older ones beyond it are counted, not kept. */
export const MAX_HELD_WRITES = 200;

export interface ConsoleBehindFrameOptions {
  /** The stream the lines belong on (stderr). */
  readonly target: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** True while a live frame is (or is about to be) drawn on the terminal: writes are held then. */
  readonly frameLive: () => boolean;
  /** The line said, on release, for writes that were held beyond MAX_HELD_WRITES. */
  readonly overflowNote: (count: number) => string;
}

/**
 * A console stream that a live frame cannot erase. Each frame clears the screen below it, so a line
 * written to the same terminal under the frame was gone within one frame. While the frame is live,
 * and only when the target is that terminal (a TTY), writes are held; `release()`, called once the
 * last frame is drawn, writes them below it, where they stay in the scrollback. Written to a file or
 * a pipe, they go through at once, as before.
 */
export class ConsoleBehindFrame extends Writable {
  private readonly held: string[] = [];
  private overflow = 0;

  constructor(private readonly options: ConsoleBehindFrameOptions) {
    super({ decodeStrings: false });
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (this.options.target.isTTY === true && this.options.frameLive()) {
      this.held.push(text);
      if (this.held.length > MAX_HELD_WRITES) {
        this.held.shift();
        this.overflow++;
      }
    } else {
      this.options.target.write(text);
    }
    callback();
  }

  /** Writes what was held (the oldest first), once the frame is no longer drawn over it. */
  release(): void {
    if (this.held.length === 0 && this.overflow === 0) return;
    const text = `${this.overflow > 0 ? `${this.options.overflowNote(this.overflow)}\n` : ''}${this.held.join('')}`;
    this.held.length = 0;
    this.overflow = 0;
    this.options.target.write(text);
  }
}
