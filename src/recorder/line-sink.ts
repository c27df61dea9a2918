import type { Channel } from './channels.js';

/**
 * Where finished lines go. `write` either takes the whole line or throws a RecorderError; it never
 * takes part of one. A barrier line (ORDER_CONTEXT, audit, FATAL, shutdown) must be on disk when
 * `write` returns, whatever the sink's mode.
 */
export interface LineSink {
  /**
   * `wallMs` is Date.now() as the caller just read it to stamp the line (the recorder does, on the
   * real clock), so a sink that keeps time need not read the clock again; absent otherwise.
   */
  write(channel: Channel, line: string, barrier: boolean, wallMs?: number): void;
  /** Puts every line written so far on disk. */
  flush(): void;
  close(): void;
}

/** Discards every line: the baseline for measuring what recording costs. */
export class NullSink implements LineSink {
  lines = 0;
  write(): void {
    this.lines++;
  }
  flush(): void {}
  close(): void {}
}
