import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import type { EventInput, EventType } from '../recorder/events/catalog.js';
import type { LogRotation } from '../recorder/log-rotation.js';
import type { Recorder } from '../recorder/recorder.js';
import type { SessionFailure } from '../recorder/sessions/session-failure.js';
import { BeatBoard, MAX_LOOPS } from './beat-board.js';
import { stopComponent, type ComponentSpec, type ComponentStop } from './component-stop.js';
import { buildHeartbeat, type HeartbeatFields, type HeartbeatSettings, type LoopInfo } from './heartbeat-snapshot.js';
import { HeartbeatWatchdog } from './heartbeat-watchdog.js';
import { LoopHandle, type LoopSpec } from './loop-handle.js';
import { requireMs, RuntimeError } from './runtime-error.js';

/**
 * The signals that stop the bot cleanly; with no listener, Node's default action for any of them
 * kills it with no end in its record (a crash to `health`). SIGHUP is what a closed terminal or a
 * dropped SSH connection sends. SIGQUIT (Ctrl-\) is handled like SIGTERM rather than left to dump
 * core: a core of a Node process is of little use next to a report (`--report-on-signal`), and the
 * operator who sends it means "quit", which a clean stop does with the record whole. A bot whose
 * event loop hangs runs no handler, so SIGKILL (or a supervisor's escalation) is what ends it then.
 */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];
/** Why shutdown began: a signal, or the bot's own decision. */
export type ShutdownReason = ShutdownSignal | 'data_end' | 'duration_reached' | 'fatal';

export function isShutdownSignal(reason: string): reason is ShutdownSignal {
  return (SHUTDOWN_SIGNALS as readonly string[]).includes(reason);
}

/**
 * Exit codes: 0 when every component stopped, 1 when one did not (or the reason was fatal, or the
 * whole shutdown ran past its deadline: no signal was involved, so 128+n would misname it), 128+n
 * when a signal n forced exit (a second one after the grace, or a third at once).
 */
export const EXIT_CLEAN = 0;
export const EXIT_INCOMPLETE = 1;

export interface ShutdownCoordinatorOptions {
  readonly recorder: Recorder;
  /** The recorder's logs directory; the watchdog thread appends its heartbeats there. */
  readonly logsDir: string;
  /** How the recorder's sink rotates and compresses: the watchdog thread's sink does the same (default: FileSink's defaults, no compression). */
  readonly logRotation?: LogRotation | undefined;
  /** SHUTDOWN_HEARTBEAT period (default 30 s). */
  readonly heartbeatIntervalMs?: number;
  /** Period of the timer that proves the main event loop turns (default 250 ms). */
  readonly eventLoopProbeMs?: number;
  /** Time each component gets to stop (default 10 s). */
  readonly stopTimeoutMs?: number;
  /**
   * Time the whole shutdown may take, from its request, before exit is forced with code 1
   * (default 20 s): per-component timeouts alone add up, so they bound no total.
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * After a second signal, how long a shutdown under way may still finish on its own before exit
   * is forced (default 1 s; 0 forces at once). A third signal forces at once.
   */
  readonly forceGraceMs?: number;
  /** Beats listed in `recent_heartbeats` (default 10, at most 64). */
  readonly recentBeats?: number;
  /** A loop is stalled after this many periods without a beat (default 3). */
  readonly stallFactor?: number;
  /** Run the watchdog thread (default true). Without it, only the shutdown heartbeat is written. */
  readonly watchdog?: boolean;
  /** How the process leaves (default `process.exit`). */
  readonly exit?: (code: number) => void;
}

type ComponentStatus = 'registered' | 'starting' | 'running' | 'start_failed' | 'not_started' | 'stopping' | 'done';

/**
 * Where shutdown stands. `complete`: SHUTDOWN_COMPLETE is written (only the watchdog's stop is
 * left); `forced`: a signal or the shutdown deadline cut it short and wrote its own
 * SHUTDOWN_COMPLETE. In both the record is final, so nothing more is written: the caller may
 * already have closed the recorder.
 */
type Phase = 'open' | 'stopping' | 'complete' | 'forced';

/** The component whose stop the shutdown is waiting on. */
interface Stopping {
  readonly name: string;
  readonly startedMs: number;
}

interface Entry {
  readonly spec: ComponentSpec;
  readonly seq: number;
  status: ComponentStatus;
  /** While `starting`: its start, which a shutdown begun meanwhile waits for before stopping it. */
  started?: Promise<unknown>;
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
  private readonly shutdownTimeoutMs: number;
  private readonly stallFactor: number;
  private readonly forceGraceMs: number;
  private readonly exit: (code: number) => void;
  private watchdog: HeartbeatWatchdog | undefined;
  /** The watchdog thread's launch, while under way: a shutdown begun meanwhile stops it once it is up. */
  private watchdogLaunch: Promise<HeartbeatWatchdog> | undefined;
  private shutdown: Promise<number> | undefined;
  private settle: (code: number) => void = () => undefined;
  private phase: Phase = 'open';
  private shutdownStartedMs = 0;
  /** Stops finished so far, in stop order: SHUTDOWN_COMPLETE lists them, forced or not. */
  private readonly stops: ComponentStop[] = [];
  private stopping: Stopping | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** The code of the written SHUTDOWN_COMPLETE, the one the process leaves with. */
  private finalCode: number | undefined;
  private forcedBy: SessionFailure | undefined;
  private left = false;
  /** A signal arrived while the bot was already stopping on its own (data end, duration, fatal): the next one insists. */
  private signalDuringOwnStop = false;
  private reasonWasSignal = false;

  constructor(private readonly options: ShutdownCoordinatorOptions) {
    this.recorder = options.recorder;
    this.intervalMs = requireMs('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 30_000, 10);
    this.stopTimeoutMs = requireMs('stopTimeoutMs', options.stopTimeoutMs ?? 10_000, 1);
    this.shutdownTimeoutMs = requireMs('shutdownTimeoutMs', options.shutdownTimeoutMs ?? 20_000, 1);
    const recentBeats = options.recentBeats ?? 10;
    if (!Number.isInteger(recentBeats) || recentBeats < 0 || recentBeats > 64) {
      throw new RuntimeError('invalid_option', `recentBeats must be an integer in [0, 64], got ${String(recentBeats)}`);
    }
    this.stallFactor = options.stallFactor ?? 3;
    if (!Number.isFinite(this.stallFactor) || this.stallFactor < 1) {
      throw new RuntimeError('invalid_option', `stallFactor must be a number >= 1, got ${String(this.stallFactor)}`);
    }
    this.settings = { recentBeats, eventLoopProbeMs: requireMs('eventLoopProbeMs', options.eventLoopProbeMs ?? 250, 5, 60_000) };
    this.forceGraceMs = requireMs('forceGraceMs', options.forceGraceMs ?? 1000, 0, 60_000);
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  get shutdownRequested(): boolean {
    return this.shutdown !== undefined;
  }

  /**
   * Why the exit was forced, in the shape SESSION_END records (`error_code`, `message`), so the
   * session's end can say a signal (`shutdown_forced`) or the deadline (`shutdown_timeout`) cut its
   * shutdown short; undefined unless one did.
   */
  get forcedExit(): SessionFailure | undefined {
    return this.forcedBy;
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

  /**
   * Starts the watchdog thread, then every component in ascending order. A shutdown requested
   * meanwhile (a signal during startup) starts nothing more.
   */
  async start(): Promise<void> {
    if (this.options.watchdog !== false && !this.watchdog && !this.watchdogLaunch) {
      this.watchdogLaunch = HeartbeatWatchdog.start({
        recorder: this.recorder,
        logsDir: this.options.logsDir,
        board: this.board,
        intervalMs: this.intervalMs,
        recentBeats: this.settings.recentBeats,
        eventLoopProbeMs: this.settings.eventLoopProbeMs,
        logRotation: this.options.logRotation,
      });
      const watchdog = await this.watchdogLaunch;
      this.watchdog = watchdog;
      for (const entry of this.components) watchdog.registerComponent(entry.spec.name);
      for (const loop of this.loops) watchdog.registerLoop(loop);
    }
    const ordered = [...this.components].sort((a, b) => a.spec.order - b.spec.order || a.seq - b.seq);
    for (const [position, entry] of ordered.entries()) {
      if (this.shutdown) break;
      if (entry.status !== 'registered') continue;
      try {
        entry.status = 'starting';
        const started = entry.spec.start?.();
        if (started instanceof Promise) {
          entry.started = started;
          await started;
        }
        // A shutdown that began during an async start has stopped it already (it waited for the start).
        if (entry.status === 'starting') entry.status = 'running';
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

  /**
   * Any of SHUTDOWN_SIGNALS begins shutdown; a second signal forces exit unless the shutdown
   * finishes within the grace, a third forces it at once. Returns the uninstaller.
   */
  installSignalHandlers(signals: readonly ShutdownSignal[] = SHUTDOWN_SIGNALS): () => void {
    const handlers = signals.map((signal) => {
      const handler = (): void => {
        if (!this.shutdown) void this.requestShutdown(signal);
        else if (this.stoppingOnItsOwn()) this.noteSignalDuringOwnStop(signal);
        else this.insist(signal);
      };
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
    return () => handlers.forEach((off) => off());
  }

  /**
   * Begins shutdown (later calls only count and share the first one's outcome) and, once every
   * component stopped or timed out, exits with the resulting code, which the promise also gives.
   * A forced exit settles it with the forced code.
   */
  requestShutdown(reason: ShutdownReason): Promise<number> {
    if (this.shutdown) {
      this.board.requestShutdown();
      return this.shutdown;
    }
    let fail: (error: unknown) => void = () => undefined;
    this.shutdown = new Promise<number>((resolve, reject) => {
      this.settle = resolve;
      fail = reject;
    });
    // The outcome comes through settle() (from here or from a forced exit); a throw still reaches the caller.
    this.runShutdown(reason).catch(fail);
    return this.shutdown;
  }

  /** True while the bot stops for its own reason and no signal has arrived yet: a first Ctrl-C then is not a second one. */
  private stoppingOnItsOwn(): boolean {
    return this.phase === 'stopping' && !this.signalDuringOwnStop && !this.reasonWasSignal;
  }

  private noteSignalDuringOwnStop(signal: ShutdownSignal): void {
    this.signalDuringOwnStop = true;
    this.board.requestShutdown();
    const waitingOn = this.stopping ? ` (waiting on ${this.stopping.name})` : '';
    this.record('LOG', {
      message: `${signal} while the bot was already shutting down on its own${waitingOn}: shutdown goes on; another signal forces exit`,
      component: 'shutdown',
      data: { signal, running: this.running() },
    });
  }

  private async runShutdown(reason: ShutdownReason): Promise<void> {
    this.reasonWasSignal = isShutdownSignal(reason);
    this.phase = 'stopping';
    this.shutdownStartedMs = performance.now();
    // Unref'd: a bound on shutdown must never be what keeps the process up once everything stopped.
    this.deadlineTimer = setTimeout(() => this.expire(), this.shutdownTimeoutMs).unref();
    this.board.requestShutdown();
    let failed = reason === 'fatal';
    failed = !this.record('SHUTDOWN_REQUESTED', { reason, running: this.running() }) || failed;
    failed = !this.record('SHUTDOWN_HEARTBEAT', { ...this.heartbeat(), trigger: 'shutdown' }) || failed;
    this.board.countHeartbeatLogged();
    const order = [...this.components].sort((a, b) => b.spec.order - a.spec.order || b.seq - a.seq);
    for (const entry of order) {
      // One never started (a signal during startup) is stopped too: its resources may predate start (a bound port).
      if (entry.status !== 'registered' && entry.status !== 'starting' && entry.status !== 'running') continue;
      const timeoutMs = entry.spec.stopTimeoutMs ?? this.stopTimeoutMs;
      this.stopping = { name: entry.spec.name, startedMs: performance.now() };
      // Stopping a component whose start is still under way would leave it running once the start ends.
      if (entry.status === 'starting' && entry.started) await settledWithin(entry.started, timeoutMs);
      entry.status = 'stopping';
      const stop = await stopComponent(entry.spec, timeoutMs);
      this.stopping = undefined;
      entry.status = 'done';
      // Stopping goes on after a forced exit, so that nothing keeps running (a caller that only
      // hands the code back lets the process end once the components are stopped), but the
      // record is final: record() writes nothing more.
      if (this.forced()) continue;
      this.stops.push(stop);
      if (stop.result === 'stopped') continue;
      failed = true;
      const message = stop.result === 'timeout' ? `${stop.name} did not stop within ${timeoutMs} ms; shutdown went on without it` : `${stop.name} failed to stop: ${stop.error ?? 'unknown error'}`;
      this.record('ERROR', { error_code: stop.result === 'timeout' ? 'component_stop_timeout' : 'component_stop_failed', message, component: stop.name });
    }
    if (this.forced()) return;
    clearTimeout(this.graceTimer);
    clearTimeout(this.deadlineTimer);
    const exitCode = failed ? EXIT_INCOMPLETE : EXIT_CLEAN;
    this.board.completeShutdown();
    this.record('SHUTDOWN_COMPLETE', { components: [...this.stops], exit_code: exitCode, duration_ms: this.elapsedMs() });
    this.phase = 'complete';
    this.finalCode = exitCode;
    // A watchdog still starting is stopped once up: left running, it would beat after SHUTDOWN_COMPLETE.
    const watchdog = this.watchdog ?? (await this.watchdogLaunch?.catch(() => undefined));
    await watchdog?.stop();
    this.leave(exitCode);
  }

  /**
   * A signal while shutting down. The first repeat gives a shutdown that is progressing the grace
   * to finish (the usual double Ctrl-C hits a stop that takes milliseconds, and the stops it would
   * cut save state), then forces; another repeat forces at once.
   */
  private insist(signal: ShutdownSignal): void {
    this.board.requestShutdown();
    if (this.phase === 'complete' || this.phase === 'forced') {
      // The record is already final; only the watchdog's stop is left to wait for.
      this.leave(this.finalCode ?? EXIT_INCOMPLETE);
      return;
    }
    if (this.forceGraceMs === 0 || this.graceTimer !== undefined) {
      this.force(signal);
      return;
    }
    const waitingOn = this.stopping ? ` while ${this.stopping.name} was stopping` : '';
    this.record('LOG', {
      message: `${signal} during shutdown${waitingOn}: exit is forced in ${this.forceGraceMs} ms unless shutdown finishes first; another signal forces it now`,
      component: 'shutdown',
      data: { signal, running: this.running(), grace_ms: this.forceGraceMs },
    });
    this.flush();
    this.graceTimer = setTimeout(() => this.force(signal), this.forceGraceMs);
  }

  /**
   * Leaves now, with a final record written synchronously first: SHUTDOWN_REQUESTED (forced) names
   * what was still running, SHUTDOWN_COMPLETE lists the stops that ended, the one cut short as a
   * timeout, and the 128+n exit code.
   */
  private force(signal: ShutdownSignal): void {
    if (this.phase !== 'stopping') return;
    const exitCode = 128 + constants.signals[signal];
    const running = this.running();
    const cutShort = this.stopping ? ` while ${this.stopping.name} was stopping` : '';
    this.forcedBy = { code: 'shutdown_forced', message: `${signal} during shutdown forced exit ${exitCode}${cutShort}; not stopped: ${running.join(', ') || 'none'}` };
    this.record('SHUTDOWN_REQUESTED', { reason: signal, running, forced: true });
    this.closeForced(exitCode);
  }

  /**
   * The shutdown deadline passed with stops still under way: leaves with EXIT_INCOMPLETE as a
   * forced exit does. No SHUTDOWN_REQUESTED (forced) here: nothing was requested again, so the
   * ERROR line is what names the deadline and what was still running.
   */
  private expire(): void {
    if (this.phase !== 'stopping') return;
    const running = this.running();
    const cutShort = this.stopping ? ` while ${this.stopping.name} was stopping` : '';
    const message = `shutdown did not finish within its ${this.shutdownTimeoutMs} ms deadline (runtime.shutdown_timeout)${cutShort}: exit ${EXIT_INCOMPLETE} without waiting; not stopped: ${running.join(', ') || 'none'}`;
    this.forcedBy = { code: 'shutdown_timeout', message };
    this.record('ERROR', { error_code: 'shutdown_timeout', message, component: this.stopping?.name ?? 'shutdown' });
    this.closeForced(EXIT_INCOMPLETE);
  }

  /**
   * Ends a shutdown cut short: SHUTDOWN_COMPLETE lists the stops that ended and the one cut short
   * as a timeout, then the process leaves without waiting for the rest (runShutdown still stops them).
   */
  private closeForced(exitCode: number): void {
    clearTimeout(this.graceTimer);
    clearTimeout(this.deadlineTimer);
    const cut = this.stopping ? [{ name: this.stopping.name, result: 'timeout' as const, duration_ms: Math.round(performance.now() - this.stopping.startedMs) }] : [];
    this.board.completeShutdown();
    this.record('SHUTDOWN_COMPLETE', { components: [...this.stops, ...cut], exit_code: exitCode, duration_ms: this.elapsedMs() });
    this.phase = 'forced';
    this.finalCode = exitCode;
    // Not awaited: the thread must not delay a forced exit, and process.exit ends it anyway.
    void this.watchdog?.stop();
    void this.watchdogLaunch?.then((watchdog) => watchdog.stop(), () => undefined);
    this.leave(exitCode);
  }

  /** Flushes the record, then settles the shutdown and exits, once. */
  private leave(code: number): void {
    if (this.left) return;
    this.left = true;
    this.flush();
    this.settle(code);
    this.exit(code);
  }

  /** A method, not a field test: the phase changes under runShutdown's awaits, where TypeScript keeps it narrowed. */
  private forced(): boolean {
    return this.phase === 'forced';
  }

  private elapsedMs(): number {
    return Math.round(performance.now() - this.shutdownStartedMs);
  }

  /** Components not yet stopped, then loops still registered. */
  private running(): string[] {
    const components = this.components.filter((entry) => entry.status === 'registered' || entry.status === 'starting' || entry.status === 'running' || entry.status === 'stopping');
    const loops = this.loops.filter((loop) => this.board.readLoop(loop.index).state === 'active');
    return [...components.map((entry) => entry.spec.name), ...loops.map((loop) => loop.name)];
  }

  /**
   * Shutdown must go on even when the log cannot be written: report to stderr and say it failed.
   * Once the record is final, writes nothing: the caller may have closed the recorder by then.
   */
  private record<T extends EventType>(type: T, fields: EventInput<T>): boolean {
    if (this.phase === 'complete' || this.phase === 'forced') return false;
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

/** Waits for `promise` to settle, at most `ms`; never throws. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([promise.then(() => undefined, () => undefined), expired]);
  clearTimeout(timer);
}
