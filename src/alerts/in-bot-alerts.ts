import { join } from 'node:path';
import { CATALOG, isEventType, type AnyEventLine } from '../recorder/events/catalog.js';
import type { Recorder } from '../recorder/recorder.js';
import { outsideTrace } from '../recorder/trace-context.js';
import { channelFileName } from '../recorder/channels.js';
import { linesBackwards } from '../recorder/lines-backwards.js';
import { AlertEngine } from './alert-engine.js';
import type { AlertOptions, AlertOptionsInput } from './alert-options.js';
import { recordTransition } from './alert-record.js';
import type { AlertNote, AlertTransition, Observation } from './alert-transition.js';
import type { Notifier } from './notifiers/notifier.js';
import { LogTailer } from './watch/log-tailer.js';

export interface InBotAlertsOptions {
  /** The bot's recorder: lines are observed through `onLine`, alerts are written through `emit`. */
  readonly recorder: Recorder;
  /** Rule thresholds and windows (the engine wiring maps the bot's config onto these). */
  readonly options?: AlertOptions | AlertOptionsInput;
  /** Besides the ALERT_* lines: console, webhook... Each must return at once (see Notifier). */
  readonly notifiers?: readonly Notifier[];
  /**
   * The logs directory. Needed in the bot: the watchdog writes SHUTDOWN_HEARTBEAT from its worker
   * thread through its own recorder, which this recorder's onLine never sees, so the heartbeats are
   * read back from `<logsDir>/system.jsonl` (new lines of this session only) on every timer check.
   * Also names the real files in evidence. Without it, heartbeats come only through `recorder`.
   */
  readonly logsDir?: string;
  /** Upper bound of the timer period in ms (default 1000); it shortens to half the heartbeat interval. */
  readonly maxCheckMs?: number;
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
  /**
   * How long `stop()` waits for the notifiers' queues (default: until each is done, bounded only by
   * its timeouts and retries). In the bot, set it below the component stop timeout: what is still
   * pending then is given up on and reported (one ERROR line), and the component still stops in time.
   */
  readonly stopDrainMs?: number;
}

/**
 * The alert engine inside the bot. Every line the recorder writes is evaluated synchronously; a timer
 * advances the clock so a silent watchdog fires within one heartbeat interval. A bot whose event loop
 * hangs or that dies cannot alert on itself: that is the watcher's job (`tradetrace alerts --follow`).
 *
 * Wiring (by the engine helper):
 *   const alerts = new InBotAlerts({ recorder, options: { heartbeat: { intervalS: cfg.heartbeatS } }, notifiers: [new ConsoleNotifier()], logsDir });
 *   alerts.start();  ...  await alerts.stop();   // before recorder.close()
 */
/** How far back the audit log is read for the session's own startup lines: a few KB in practice. */
const AUDIT_LOOKBACK_BYTES = 1024 * 1024;

export class InBotAlerts {
  readonly engine: AlertEngine;
  private readonly recorder: Recorder;
  private readonly notifiers: readonly Notifier[];
  private readonly now: () => number;
  private readonly maxCheckMs: number;
  private readonly logsDir: string | undefined;
  private readonly stopDrainMs: number | undefined;
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private periodMs = 0;
  private emitting = false;
  private readonly tailer: LogTailer | null;
  /** seq of heartbeats seen through onLine, so the file tail does not feed them twice. */
  private readonly heartbeatSeqs = new Set<number>();
  /** When this object last ran (a check or a line): a much longer gap means this process was stopped. */
  private lastAwakeAt: number | null = null;

  constructor(init: InBotAlertsOptions) {
    this.recorder = init.recorder;
    this.engine = new AlertEngine({ ...(init.options !== undefined ? { options: init.options } : {}) });
    this.notifiers = init.notifiers ?? [];
    this.now = init.now ?? Date.now;
    this.maxCheckMs = init.maxCheckMs ?? 1_000;
    this.logsDir = init.logsDir;
    this.stopDrainMs = init.stopDrainMs;
    this.tailer = init.logsDir === undefined ? null : new LogTailer(init.logsDir, ['system'], () => undefined, { fromEnd: true });
  }

  start(): void {
    if (this.unsubscribe) return;
    // The session's config audit (SESSION_START, CONFIG_HASH, CONFIG_DIFF) is written before the bot
    // can start its alerts: read back from the audit log, a drifted config still fires config_drift
    // in the bot and reaches its webhook, as it does for `tradetrace alerts`.
    for (const observation of this.ownAuditSoFar()) this.apply(this.engine.observe(observation));
    this.lastAwakeAt = this.now();
    this.unsubscribe = this.recorder.onLine((type, _fields, line) => {
      // Our own ALERT_* lines re-enter here; the engine reads none of them.
      if (this.emitting || !this.engine.watches(type)) return;
      // After a stop, the bot's own lines can come before the timer's check: observing one advances time.
      this.noticeOwnStop();
      let parsed: AnyEventLine;
      try {
        parsed = JSON.parse(line) as AnyEventLine;
      } catch {
        return;
      }
      if (!isEventType(parsed.event_type)) return;
      const channel = CATALOG[parsed.event_type].channel;
      const file = this.logsDir === undefined ? channelFileName(channel) : join(this.logsDir, channelFileName(channel));
      if (parsed.event_type === 'SHUTDOWN_HEARTBEAT' && this.tailer) this.heartbeatSeqs.add(parsed.seq);
      this.apply(this.engine.observe({ line: parsed, file }));
      this.reschedule();
    });
    this.reschedule();
  }

  /** This session's audit lines already on disk, oldest first; none without a logs directory. */
  private ownAuditSoFar(): Observation[] {
    if (this.logsDir === undefined) return [];
    const file = join(this.logsDir, channelFileName('audit'));
    const mine = `"session_id":${JSON.stringify(this.recorder.sessionId)}`;
    const lines: Observation[] = [];
    try {
      // The session's first lines are the newest of the file: stop at the first line of another session.
      for (const text of linesBackwards(file, AUDIT_LOOKBACK_BYTES)) {
        if (!text.includes(mine)) break;
        const parsed = JSON.parse(text) as AnyEventLine;
        if (isEventType(parsed.event_type) && this.engine.watches(parsed.event_type)) lines.push({ line: parsed, file });
      }
    } catch (error) {
      // No audit file yet, or a line that is not JSON: the live lines from here on are still observed.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    }
    return lines.reverse();
  }

  /** Stops observing; waits for the notifiers' queues (at most `stopDrainMs` when set; else bounded by their timeouts). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tailer?.close();
    const boundMs = this.stopDrainMs;
    await Promise.all(this.notifiers.map((n) => (boundMs === undefined ? n.drain() : n.drain(boundMs))));
  }

  /** Runs one timer check now (the timer calls this): the watchdog's heartbeats, then time passing. */
  check(): void {
    // Before the heartbeats read back: the first one after a stop would otherwise fire the silence
    // (time advances to its timestamp) just before it resolves it.
    this.noticeOwnStop();
    for (const observation of this.tailer?.poll() ?? []) {
      const { line } = observation;
      if (line.event_type !== 'SHUTDOWN_HEARTBEAT' || line.session_id !== this.recorder.sessionId) continue;
      if (this.heartbeatSeqs.delete(line.seq)) continue;
      this.apply(this.engine.observe(observation));
    }
    this.apply(this.engine.advance(this.now()));
    this.reschedule();
  }

  /**
   * The timer runs at least every `periodMs` while this process runs; a gap far longer means it was
   * stopped (SIGSTOP, a suspended machine) or its event loop blocked, and it saw nothing meanwhile.
   * A heartbeat deadline that passed then was the watcher's to report, live: the engine is told so
   * it does not report that incident late, after it is over (see HeartbeatMissingRule.observerStopped).
   */
  private noticeOwnStop(): void {
    const now = this.now();
    const last = this.lastAwakeAt;
    this.lastAwakeAt = now;
    if (last !== null && now - last > Math.max(1_000, 2 * this.periodMs)) this.engine.observerStopped(last, now);
  }

  private reschedule(): void {
    const period = Math.max(10, Math.min(this.maxCheckMs, Math.floor(this.engine.checkEveryMs() / 2)));
    if (period === this.periodMs && this.timer) return;
    if (this.timer) clearInterval(this.timer);
    this.periodMs = period;
    // Often re-armed from inside a decision's line: the timer must not carry that decision's ids.
    this.timer = outsideTrace(() => setInterval(() => this.check(), period));
    // The alert timer alone must not keep a finished bot alive.
    this.timer.unref();
  }

  private apply(transitions: readonly AlertTransition[]): void {
    // An alert is about the bot, not about the decision whose line tripped it: no decision_id/intent_id.
    if (transitions.length > 0) outsideTrace(() => this.record(transitions));
    const notes = this.engine.takeNotes();
    if (notes.length > 0) outsideTrace(() => this.recordNotes(notes));
  }

  /** Written to the bot's log only: a note is nothing to act on, so no notifier hears of it. */
  private recordNotes(notes: readonly AlertNote[]): void {
    for (const note of notes) {
      this.emitting = true;
      try {
        this.recorder.emit('LOG', { message: note.message, component: 'alerts', data: { ...note.data } });
      } catch (error) {
        process.stderr.write(`tradetrace alerts: cannot record a note: ${String(error)}\n`);
      } finally {
        this.emitting = false;
      }
    }
  }

  private record(transitions: readonly AlertTransition[]): void {
    for (const transition of transitions) {
      this.emitting = true;
      try {
        recordTransition(this.recorder, transition);
      } catch (error) {
        // The line that triggered this was written; failing the bot's emit because an alert could not be
        // would be worse. The recorder's own failure surfaces on the bot's next emit.
        process.stderr.write(`tradetrace alerts: cannot record ${transition.kind} ${transition.rule}: ${String(error)}\n`);
      } finally {
        this.emitting = false;
      }
      for (const notifier of this.notifiers) notifier.notify(transition);
    }
  }
}
