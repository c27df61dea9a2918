import { writeSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { LogRotation } from '../recorder/log-rotation.js';
import type { Recorder } from '../recorder/recorder.js';
import type { BeatBoard } from './beat-board.js';
import type { LoopInfo } from './heartbeat-snapshot.js';
import { RuntimeError } from './runtime-error.js';
import type { FromWatchdog, ToWatchdog, WatchdogWorkerData } from './watchdog-protocol.js';
import { launchWorker, siblingModule } from './worker-launch.js';

export interface WatchdogOptions {
  /** Main-thread recorder: the worker shares its session id and sequence; errors are logged here. */
  readonly recorder: Recorder;
  /** The directory the recorder's FileSink writes to; the worker appends to the same files. */
  readonly logsDir: string;
  readonly board: BeatBoard;
  readonly intervalMs: number;
  readonly recentBeats: number;
  readonly eventLoopProbeMs: number;
  /** How the recorder's sink rotates and compresses; the worker's sink does the same (default: FileSink's defaults, no compression). */
  readonly logRotation?: LogRotation | undefined;
  /** How long the thread may take to boot (tsx compiles it from source). Default 15 s. */
  readonly startTimeoutMs?: number;
}

const STOP_TIMEOUT_MS = 2000;

/** The main thread's side of the watchdog: the worker, and the timer that proves the event loop turns. */
export class HeartbeatWatchdog {
  private readonly probe: NodeJS.Timeout;
  private stopping = false;

  private constructor(
    private readonly worker: Worker,
    private readonly options: WatchdogOptions,
    probe: NodeJS.Timeout,
  ) {
    this.probe = probe;
    worker.on('message', (message: FromWatchdog) => {
      if (message.kind === 'write_failed') this.report('watchdog_write_failed', `heartbeat not written: ${message.code}: ${message.message}`);
    });
    worker.on('error', (error) => this.report('watchdog_failed', `watchdog thread died: ${error.message}`));
    // Never the reason the process stays up.
    worker.unref();
  }

  static start(options: WatchdogOptions): Promise<HeartbeatWatchdog> {
    const data: WatchdogWorkerData = {
      logsDir: options.logsDir,
      sessionId: options.recorder.sessionId,
      seqBuffer: options.recorder.seq.buffer,
      boardBuffer: options.board.buffer,
      intervalMs: options.intervalMs,
      recentBeats: options.recentBeats,
      eventLoopProbeMs: options.eventLoopProbeMs,
      logRotation: options.logRotation,
    };
    // The probe runs from now: the worker's boot (seconds under tsx) must not read as a blocked loop.
    options.board.touchEventLoop();
    const probe = setInterval(() => options.board.touchEventLoop(), options.eventLoopProbeMs);
    probe.unref();
    const worker = launchWorker(siblingModule('heartbeat-worker', import.meta.url), data);
    const timeoutMs = options.startTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const fail = (message: string, cause?: unknown): void => {
        clearTimeout(timer);
        clearInterval(probe);
        void worker.terminate();
        reject(new RuntimeError('watchdog_failed', message, { cause }));
      };
      const timer = setTimeout(() => fail(`heartbeat watchdog thread did not start within ${timeoutMs} ms`), timeoutMs);
      worker.once('error', (error) => fail(`heartbeat watchdog thread failed to start: ${error.message}`, error));
      worker.once('message', (message: FromWatchdog) => {
        if (message.kind !== 'ready') return;
        clearTimeout(timer);
        worker.removeAllListeners('error');
        resolve(new HeartbeatWatchdog(worker, options, probe));
      });
    });
  }

  registerLoop(loop: LoopInfo): void {
    this.post({ kind: 'loop', loop });
  }

  registerComponent(name: string): void {
    this.post({ kind: 'component', name });
  }

  /** Stops the thread (it closes its files), or terminates it if it does not answer. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.probe);
    const stopped = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.worker.on('message', (message: FromWatchdog) => message.kind === 'stopped' && done());
      this.worker.once('exit', done);
    });
    this.post({ kind: 'stop' });
    await stopped;
    await this.worker.terminate();
  }

  private post(message: ToWatchdog): void {
    if (!this.stopping || message.kind === 'stop') this.worker.postMessage(message);
  }

  private report(code: string, message: string): void {
    if (this.stopping) return;
    try {
      this.options.recorder.emit('ERROR', { error_code: code, message, component: 'heartbeat-watchdog' });
    } catch (error) {
      writeSync(2, `tradetrace: ${message} (and it could not be logged: ${String(error)})\n`);
    }
  }
}
