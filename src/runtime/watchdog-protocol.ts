import type { LogRotation } from '../recorder/log-rotation.js';
import type { LoopInfo } from './heartbeat-snapshot.js';

/** What the watchdog thread is started with. */
export interface WatchdogWorkerData {
  readonly logsDir: string;
  readonly sessionId: string;
  /** The main recorder's SeqCounter buffer: both threads draw from one sequence. */
  readonly seqBuffer: SharedArrayBuffer;
  readonly boardBuffer: SharedArrayBuffer;
  readonly intervalMs: number;
  readonly recentBeats: number;
  readonly eventLoopProbeMs: number;
  /** The main thread's sink's: the worker rotates system.jsonl at the same size and gzips what it rotates. Undefined: FileSink's defaults, nothing gzipped. */
  readonly logRotation: LogRotation | undefined;
}

/** Main thread to watchdog. Registrations travel as messages: the worker's port receives them even while the main loop is blocked later. */
export type ToWatchdog =
  | { readonly kind: 'loop'; readonly loop: LoopInfo }
  | { readonly kind: 'component'; readonly name: string }
  | { readonly kind: 'stop' };

/** Watchdog to main thread. */
export type FromWatchdog =
  | { readonly kind: 'ready' }
  | { readonly kind: 'write_failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'stopped' };
