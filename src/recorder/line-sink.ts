import type { Channel } from './channels.js';

/**
 * Where finished lines go. `write` either takes the whole line or throws a RecorderError; it never
 * takes part of one. A barrier line (ORDER_CONTEXT, audit, FATAL, shutdown) must be on disk when
 * `write` returns, whatever the sink's mode.
 */
export interface LineSink {
  write(channel: Channel, line: string, barrier: boolean): void;
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
