import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { EventInput, EventType } from '../recorder/events/catalog.js';
import type { Recorder } from '../recorder/recorder.js';
import { BeatBoard, MAX_LOOPS } from './beat-board.js';
import { stopComponent, type ComponentSpec, type ComponentStop } from './component-stop.js';
import { buildHeartbeat, type HeartbeatFields, type HeartbeatSettings, type LoopInfo } from './heartbeat-snapshot.js';
import { HeartbeatWatchdog } from './heartbeat-watchdog.js';
import { LoopHandle, type LoopSpec } from './loop-handle.js';
import { requireMs, RuntimeError } from './runtime-error.js';

/** Why shutdown began: a signal, or the bot's own decision. */
export type ShutdownReason = 'SIGINT' | 'SIGTERM' | 'data_end' | 'duration_reached' | 'fatal';
export type ShutdownSignal = Extract<ShutdownReason, `SIG${string}`>;

/** Exit codes: 0 when every component stopped, 1 when one did not (or the reason was fatal), 128+n when a second signal n forced exit. */
export const EXIT_CLEAN = 0;
export const EXIT_INCOMPLETE = 1;

export interface ShutdownCoordinatorOptions {
  readonly recorder: Recorder;
  /** The recorder's logs directory; the watchdog thread appends its heartbeats there. */
  readonly logsDir: string;
  /** SHUTDOWN_HEARTBEAT period (default 30 s). */
  readonly heartbeatIntervalMs?: number;
  /** Period of the timer that proves the main event loop turns (default 250 ms). */
  readonly eventLoopProbeMs?: number;
  /** Time each component gets to stop (default 10 s). */
  readonly stopTimeoutMs?: number;
  /** Beats listed in `recent_heartbeats` (default 10, at most 64). */
  readonly recentBeats?: number;
  /** A loop is stalled after this many periods without a beat (default 3). */
  readonly stallFactor?: number;
  /** Run the watchdog thread (default true). Without it, only the shutdown heartbeat is written. */
  readonly watchdog?: boolean;
  /** How the process leaves (default `process.exit`). */
  readonly exit?: (code: number) => void;
}

type ComponentStatus = 'registered' | 'running' | 'start_failed' | 'not_started' | 'stopping' | 'done';

interface Entry {
  readonly spec: ComponentSpec;
  readonly seq: number;
  status: ComponentStatus;
}

/**
 * Starts components in order, watches the loops' heartbeats from a worker thread, and stops
 * everything in reverse order when shutdown is requested (by a signal or by the bot), leaving
 * SHUTDOWN_REQUESTED, a final SHUTDOWN_HEARTBEAT and SHUTDOWN_COMPLETE in the log.
 */
export class ShutdownCoordinator {
  readonly board = new BeatBoard().init();
  private readonly recorder: Recorder;
  private readonly components: Entry[] = [];
  private readonly loops: LoopInfo[] = [];
  private readonly settings: HeartbeatSettings;
  private readonly intervalMs: number;
  private readonly stopTimeoutMs: number;
  private readonly stallFactor: number;
  private readonly exit: (code: number) => void;
  private watchdog: HeartbeatWatchdog | undefined;
  private shutdown: Promise<number> | undefined;

  constructor(private readonly options: ShutdownCoordinatorOptions) {
    this.recorder = options.recorder;
    this.intervalMs = requireMs('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 30_000, 10);
    this.stopTimeoutMs = requireMs('stopTimeoutMs', options.stopTimeoutMs ?? 10_000, 1);
    const recentBeats = options.recentBeats ?? 10;
    if (!Number.isInteger(recentBeats) || recentBeats < 0 || recentBeats > 64) {
      throw new RuntimeError('invalid_option', `recentBeats must be an integer in [0, 64], got ${String(recentBeats)}`);
    }
    this.stallFactor = options.stallFactor ?? 3;
    if (!Number.isFinite(this.stallFactor) || this.stallFactor < 1) {
      throw new RuntimeError('invalid_option', `stallFactor must be a number >= 1, got ${String(this.stallFactor)}`);
    }
    this.settings = { recentBeats, eventLoopProbeMs: requireMs('eventLoopProbeMs', options.eventLoopProbeMs ?? 250, 5, 60_000) };
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  get shutdownRequested(): boolean {
    return this.shutdown !== undefined;
  }

  registerComponent(spec: ComponentSpec): void {
    this.assertOpen(spec.name);
    if (this.components.some((entry) => entry.spec.name === spec.name)) {
      throw new RuntimeError('duplicate_name', `component ${spec.name} is already registered`);
    }
    if (spec.stopTimeoutMs !== undefined) requireMs(`stopTimeoutMs of ${spec.name}`, spec.stopTimeoutMs, 1);
    this.components.push({ spec, seq: this.components.length, status: 'registered' });
    this.watchdog?.registerComponent(spec.name);
  }

  registerLoop(spec: LoopSpec): LoopHandle {
    this.assertOpen(spec.name);
    if (this.loops.some((loop) => loop.name === spec.name)) throw new RuntimeError('duplicate_name', `loop ${spec.name} is already registered`);
    if (this.loops.length >= MAX_LOOPS) throw new RuntimeError('too_many_loops', `at most ${MAX_LOOPS} loops can be registered; ${spec.name} is one too many`);
    const periodMs = requireMs(`periodMs of loop ${spec.name}`, spec.periodMs, 1);
    const stallAfterMs = requireMs(`stallAfterMs of loop ${spec.name}`, spec.stallAfterMs ?? periodMs * this.stallFactor, 1);
    const loop: LoopInfo = { index: this.loops.length, name: spec.name, daemon: spec.daemon, periodMs, stallAfterMs };
    this.loops.push(loop);
    this.board.activateLoop(loop.index);
    this.watchdog?.registerLoop(loop);
    return new LoopHandle(spec.name, this.board, loop.index);
  }

  /** Starts the watchdog thread, then every component in ascending order. */
  async start(): Promise<void> {
    if (this.options.watchdog !== false && !this.watchdog) {
      this.watchdog = await HeartbeatWatchdog.start({
        recorder: this.recorder,
        logsDir: this.options.logsDir,
        board: this.board,
        intervalMs: this.intervalMs,
        recentBeats: this.settings.recentBeats,
        eventLoopProbeMs: this.settings.eventLoopProbeMs,
      });
      for (const entry of this.components) this.watchdog.registerComponent(entry.spec.name);
      for (const loop of this.loops) this.watchdog.registerLoop(loop);
    }
    const ordered = [...this.components].sort((a, b) => a.spec.order - b.spec.order || a.seq - b.seq);
    for (const [position, entry] of ordered.entries()) {
      if (entry.status !== 'registered') continue;
      try {
        await entry.spec.start?.();
        entry.status = 'running';
      } catch (error) {
        entry.status = 'start_failed';
        for (const later of ordered.slice(position + 1)) if (later.status === 'registered') later.status = 'not_started';
        const message = error instanceof Error ? error.message : String(error);
        this.record('ERROR', { error_code: 'component_start_failed', message: `${entry.spec.name} failed to start: ${message}`, component: entry.spec.name });
        throw new RuntimeError('component_start_failed', `component ${entry.spec.name} failed to start: ${message}`, { cause: error });
      }
    }
  }

  /** The heartbeat as of now, as the watchdog would write it. */
  heartbeat(): HeartbeatFields {
    return buildHeartbeat(this.board, { components: this.components.map((entry) => entry.spec.name), loops: this.loops }, this.settings);
  }

  /** SIGINT/SIGTERM begin shutdown; a second signal forces exit. Returns the uninstaller. */
  installSignalHandlers(signals: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM']): () => void {
    const handlers = signals.map((signal) => {
      const handler = (): void => {
        if (this.shutdown) this.force(signal);
        else void this.requestShutdown(signal);
      };
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
    return () => handlers.forEach((off) => off());
  }

  /**
   * Begins shutdown (later calls only count and share the first one's outcome) and, once every
   * component stopped or timed out, exits with the resulting code, which the promise also gives.
   */
  requestShutdown(reason: ShutdownReason): Promise<number> {
    if (this.shutdown) {
      this.board.requestShutdown();
      return this.shutdown;
    }
    this.shutdown = this.runShutdown(reason);
    return this.shutdown;
  }

  private async runShutdown(reason: ShutdownReason): Promise<number> {
    const started = performance.now();
    this.board.requestShutdown();
    let failed = reason === 'fatal';
    failed = !this.record('SHUTDOWN_REQUESTED', { reason, running: this.running() }) || failed;
    failed = !this.record('SHUTDOWN_HEARTBEAT', { ...this.heartbeat(), trigger: 'shutdown' }) || failed;
    this.board.countHeartbeatLogged();
    const stops: ComponentStop[] = [];
    const order = [...this.components].sort((a, b) => b.spec.order - a.spec.order || b.seq - a.seq);
    for (const entry of order) {
      if (entry.status !== 'registered' && entry.status !== 'running') continue;
      entry.status = 'stopping';
      const timeoutMs = entry.spec.stopTimeoutMs ?? this.stopTimeoutMs;
      const stop = await stopComponent(entry.spec, timeoutMs);
      entry.status = 'done';
      stops.push(stop);
      if (stop.result === 'stopped') continue;
      failed = true;
      const message = stop.result === 'timeout' ? `${stop.name} did not stop within ${timeoutMs} ms; shutdown went on without it` : `${stop.name} failed to stop: ${stop.error ?? 'unknown error'}`;
      this.record('ERROR', { error_code: stop.result === 'timeout' ? 'component_stop_timeout' : 'component_stop_failed', message, component: stop.name });
    }
    const exitCode = failed ? EXIT_INCOMPLETE : EXIT_CLEAN;
    this.record('SHUTDOWN_COMPLETE', { components: stops, exit_code: exitCode, duration_ms: Math.round(performance.now() - started) });
    await this.watchdog?.stop();
    this.flush();
    this.exit(exitCode);
    return exitCode;
  }

  /** A second signal while stopping: log who is still running and leave now. */
  private force(signal: ShutdownSignal): void {
    this.board.requestShutdown();
    this.record('SHUTDOWN_REQUESTED', { reason: signal, running: this.running(), forced: true });
    this.flush();
    this.exit(128 + constants.signals[signal]);
  }

  /** Components not yet stopped, then loops still registered. */
  private running(): string[] {
    const components = this.components.filter((entry) => entry.status === 'registered' || entry.status === 'running' || entry.status === 'stopping');
    const loops = this.loops.filter((loop) => this.board.readLoop(loop.index).state === 'active');
    return [...components.map((entry) => entry.spec.name), ...loops.map((loop) => loop.name)];
  }

  /** Shutdown must go on even when the log cannot be written: report to stderr and say it failed. */
  private record<T extends EventType>(type: T, fields: EventInput<T>): boolean {
    try {
      this.recorder.emit(type, fields);
      return true;
    } catch (error) {
      writeSync(2, `tradetrace: ${type} could not be recorded during shutdown: ${String(error)}\n`);
      return false;
    }
  }

  private flush(): void {
    try {
      this.recorder.flush();
    } catch (error) {
      writeSync(2, `tradetrace: recorder flush failed during shutdown: ${String(error)}\n`);
    }
  }

  private assertOpen(name: string): void {
    if (this.shutdown) throw new RuntimeError('shutdown_in_progress', `cannot register ${name}: shutdown has begun`);
  }
}
