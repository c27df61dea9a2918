import { join } from 'node:path';
import type { Recorder } from '../../recorder/recorder.js';
import { AlertEngine } from '../alert-engine.js';
import { newAlertId } from '../alert-tracker.js';
import type { AlertOptions, AlertOptionsInput } from '../alert-options.js';
import { recordTransition } from '../alert-record.js';
import type { AlertTransition, Observation } from '../alert-transition.js';
import { OBSERVED_CHANNELS, type LineProblemReport } from '../log-replay.js';
import type { Notifier } from '../notifiers/notifier.js';
import { LogTailer } from './log-tailer.js';
import { alertKey, openWatcherAlerts, type PreviouslyOpen } from './open-alerts.js';
import { processRuns, processStopped, sessionProcess, type SessionProcess } from './process-probe.js';

export interface AlertWatcherOptions {
  readonly dataDir: string;
  /** Writes the watcher's ALERT_FIRED / ALERT_RESOLVED (logs/alerts.jsonl) under its own session id. */
  readonly recorder: Recorder;
  readonly options?: AlertOptions | AlertOptionsInput;
  readonly notifiers?: readonly Notifier[];
  /** How often the logs are read and the clock advanced (default 250 ms). */
  readonly pollMs?: number;
  /** Lines older than this are ignored (ms since epoch). */
  readonly sinceMs?: number;
  readonly onProblem?: (problem: LineProblemReport) => void;
  /**
   * A timed poll failed: a log that cannot be read (LogReadError) or alerts.jsonl that cannot be
   * written (RecorderError), each naming the file and errno in one line. Polling has stopped; the
   * caller reports it and stops the watcher. Without it the error is thrown from the timer, an
   * uncaught exception. (The first poll's errors are thrown by start() itself.)
   */
  readonly onError?: (error: unknown) => void;
  /**
   * A transition could not be written to alerts.jsonl (read-only data dir, a watcher run as another
   * user, a full disk). It was still notified: a watcher that cannot record must still alert. With
   * this callback watching goes on (the next write may succeed); without it the error stops the
   * watcher through onError, after the notifiers had it.
   */
  readonly onRecordFailed?: (error: unknown, transition: AlertTransition) => void;
  readonly now?: () => number;
  /** Whether the session's process still runs (default: its state in /proc, see processRuns). */
  readonly isAlive?: (proc: SessionProcess) => boolean;
  /** Whether the session's process is stopped by a signal now (default: its state in /proc, see processStopped). */
  readonly isStopped?: (proc: SessionProcess) => boolean;
}

/**
 * `tradetrace alerts --follow`: tails the logs of another process and runs the same engine, so it
 * catches what the bot cannot report itself: a hung event loop (heartbeats stop) and a dead process
 * (its pid is gone and it wrote no SESSION_END). On start it catches up on the current log files and
 * writes only the alerts still open; after that every transition is written as it happens.
 */
export class AlertWatcher {
  readonly engine: AlertEngine;
  private readonly tailer: LogTailer;
  private readonly notifiers: readonly Notifier[];
  private readonly now: () => number;
  private readonly isAlive: (proc: SessionProcess) => boolean;
  private readonly isStopped: (proc: SessionProcess) => boolean;
  private readonly processes = new Map<string, SessionProcess | null>();
  private readonly previouslyOpen: Map<string, PreviouslyOpen>;
  private timer: NodeJS.Timeout | null = null;
  private caughtUp = false;

  constructor(private readonly init: AlertWatcherOptions) {
    this.previouslyOpen = openWatcherAlerts(join(init.dataDir, 'logs'));
    const adoptable = new Map(this.previouslyOpen);
    this.engine = new AlertEngine({
      ...(init.options !== undefined ? { options: init.options } : {}),
      // The first firing of an incident a previous watcher left open keeps its id (once).
      newAlertId: (request) => {
        const key = alertKey(request.rule, request.subject);
        const previous = adoptable.get(key);
        adoptable.delete(key);
        return previous?.alertId ?? newAlertId(request);
      },
    });
    this.tailer = new LogTailer(join(init.dataDir, 'logs'), OBSERVED_CHANNELS, init.onProblem);
    this.notifiers = init.notifiers ?? [];
    this.now = init.now ?? Date.now;
    this.isAlive = init.isAlive ?? processRuns;
    this.isStopped = init.isStopped ?? processStopped;
  }

  start(): void {
    if (this.timer) return;
    this.poll();
    this.timer = setInterval(() => this.tick(), this.init.pollMs ?? 250);
  }

  private tick(): void {
    try {
      this.poll();
    } catch (error) {
      // Polling on would repeat the failure every interval, and a transition that failed to be
      // written would be neither retried nor notified: stop, and let the owner decide.
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      if (!this.init.onError) throw error;
      this.init.onError(error);
    }
  }

  /** Stops watching; waits for the notifiers' queues, at most `drainMs` when given (then what is pending is reported undelivered). */
  async stop(drainMs?: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tailer.close();
    await Promise.all(this.notifiers.map((n) => (drainMs === undefined ? n.drain() : n.drain(drainMs))));
  }

  /** One round: new lines, time passing, dead processes. Returns what was written. */
  poll(): AlertTransition[] {
    const observed = this.observe(this.tailer.poll());
    // Before the clock moves: a silence that passes its deadline now says whether a signal stopped the bot.
    this.probeStopped();
    const transitions = [...observed, ...this.engine.advance(this.now()), ...this.probeProcesses()];
    if (this.caughtUp) {
      this.publish(transitions);
      return transitions;
    }
    // First round: history already happened; only what is still firing is news, unless a previous
    // watcher already reported it. What that watcher left open and is no longer true gets resolved.
    this.caughtUp = true;
    const open = new Set(this.engine.openAlerts().map((a) => a.alertId));
    const reported = new Set([...this.previouslyOpen.values()].map((p) => p.alertId));
    const nowMs = this.now();
    const current: AlertTransition[] = [
      ...[...this.previouslyOpen.values()]
        .filter((p) => !open.has(p.alertId))
        .map((p): AlertTransition => ({ kind: 'resolved', alertId: p.alertId, rule: p.rule, subject: p.subject, message: 'no longer true when the watcher restarted', firedAt: p.firedAt, at: nowMs })),
      ...transitions.filter((t) => t.kind === 'fired' && open.has(t.alertId) && !reported.has(t.alertId)),
    ];
    this.publish(current);
    return current;
  }

  private observe(observations: readonly Observation[]): AlertTransition[] {
    const since = this.init.sinceMs;
    const out: AlertTransition[] = [];
    for (const observation of observations) {
      if (since !== undefined && Date.parse(observation.line.ts) < since) continue;
      out.push(...this.engine.observe(observation));
    }
    return out;
  }

  private processOf(sessionId: string): SessionProcess | null {
    if (!this.processes.has(sessionId)) this.processes.set(sessionId, sessionProcess(this.init.dataDir, sessionId));
    return this.processes.get(sessionId) ?? null;
  }

  /** Tells the engine which watched sessions' processes a signal has stopped (SIGSTOP, Ctrl-Z), so their silence says so. */
  private probeStopped(): void {
    for (const sessionId of this.engine.watchedSessions()) {
      const proc = this.processOf(sessionId);
      this.engine.processStopped(sessionId, proc !== null && this.isStopped(proc) ? proc.pid : null);
    }
  }

  private probeProcesses(): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const sessionId of this.engine.watchedSessions()) {
      const proc = this.processOf(sessionId);
      if (!proc || this.isAlive(proc)) continue;
      // It may have written SESSION_END just before exiting: read that first.
      out.push(...this.observe(this.tailer.poll()));
      if (!this.engine.watchedSessions().includes(sessionId)) continue;
      const nowMs = this.now();
      out.push(
        ...this.engine.sessionGone(
          sessionId,
          { file: proc.manifestPath, event_type: 'manifest', ts: proc.start, id: sessionId, value: { pid: proc.pid, alive: false, checked_at: new Date(nowMs).toISOString() } },
          nowMs,
        ),
      );
    }
    return out;
  }

  private publish(transitions: readonly AlertTransition[]): void {
    let unrecorded: Error | undefined;
    for (const transition of transitions) {
      try {
        recordTransition(this.init.recorder, transition);
      } catch (error) {
        if (this.init.onRecordFailed) this.init.onRecordFailed(error, transition);
        else unrecorded ??= error instanceof Error ? error : new Error(`alert ${transition.alertId} could not be recorded: ${String(error)}`);
      }
      for (const notifier of this.notifiers) notifier.notify(transition);
    }
    if (unrecorded !== undefined) throw unrecorded;
  }
}
