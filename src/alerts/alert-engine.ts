import { CHANNELS, type Channel } from '../recorder/channels.js';
import { eventDefinition, type EventType } from '../recorder/events/catalog.js';
import { alertOptions, type AlertOptions, type AlertOptionsInput } from './alert-options.js';
import { AlertTracker, newAlertId } from './alert-tracker.js';
import type { AlertFired, AlertNote, AlertTransition, Evidence, FireRequest, Observation } from './alert-transition.js';
import { ConfigDriftRule } from './rules/config-drift.js';
import { FatalRule } from './rules/fatal.js';
import { HeartbeatMissingRule } from './rules/heartbeat-missing.js';
import { OrderFailureRateRule } from './rules/order-failure-rate.js';
import type { RuleEvaluator } from './rules/rule.js';

export interface AlertEngineOptions {
  readonly options?: AlertOptions | AlertOptionsInput;
  /**
   * Alert id of a firing (default `newAlertId`: a hash of what identifies the incident); injectable
   * for tests, and so a restarted watcher keeps the ids of alerts it had open.
   */
  readonly newAlertId?: (request: FireRequest) => string;
}

/**
 * The one evaluation core shared by the in-bot alerts, the watcher and the offline replay. Pure: it
 * consumes parsed lines (`observe`) and the passing of time (`advance`), never reads a clock or a
 * file, and returns the fired/resolved transitions each call produced, in time order.
 */
export class AlertEngine {
  readonly options: AlertOptions;
  private readonly tracker: AlertTracker;
  private readonly rules: RuleEvaluator[] = [];
  private readonly heartbeat: HeartbeatMissingRule | null = null;
  private readonly watched = new Set<EventType>();

  constructor(init: AlertEngineOptions = {}) {
    this.options = alertOptions(init.options);
    this.tracker = new AlertTracker(init.newAlertId ?? newAlertId);
    const enabled = new Set(this.options.rules);
    if (enabled.has('config_drift')) this.rules.push(new ConfigDriftRule(this.options.configDrift));
    if (enabled.has('heartbeat_missing')) {
      this.heartbeat = new HeartbeatMissingRule(this.options.heartbeat);
      this.rules.push(this.heartbeat);
    }
    if (enabled.has('order_failure_rate')) this.rules.push(new OrderFailureRateRule(this.options.orderFailure));
    if (enabled.has('fatal')) this.rules.push(new FatalRule());
    for (const rule of this.rules) for (const type of rule.watches) this.watched.add(type);
  }

  /**
   * The log channels holding every type a rule reads. A replay reads only these: the other lines
   * would only move the clock, and deadlines fire at their own time whichever line moves it. On a
   * big data directory that skips decisions.jsonl, most of the bytes.
   */
  watchedChannels(): Channel[] {
    const channels = new Set([...this.watched].map((type) => eventDefinition(type).channel));
    return CHANNELS.filter((channel) => channels.has(channel));
  }

  /** Whether any rule reads lines of this type (callers skip parsing the others). */
  watches(type: string): boolean {
    return this.watched.has(type as EventType);
  }

  /**
   * Feeds one line. Time first advances to the line's timestamp, so silences that ended before this
   * line fire (at their deadline) before the line is applied.
   */
  observe(observation: Observation): AlertTransition[] {
    const at = Date.parse(observation.line.ts);
    if (Number.isFinite(at)) for (const rule of this.rules) rule.advance(at, this.tracker);
    if (this.watched.has(observation.line.event_type)) {
      for (const rule of this.rules) if (rule.watches.has(observation.line.event_type)) rule.observe(observation, this.tracker);
    }
    return this.sorted();
  }

  /** Time passes without lines: deadlines up to `nowMs` fire or resolve. */
  advance(nowMs: number): AlertTransition[] {
    for (const rule of this.rules) rule.advance(nowMs, this.tracker);
    return this.sorted();
  }

  /** The watcher saw the session's process disappear without a SESSION_END. */
  sessionGone(sessionId: string, evidence: Evidence, nowMs: number): AlertTransition[] {
    this.heartbeat?.sessionGone(sessionId, evidence, nowMs, this.tracker);
    return this.sorted();
  }

  /**
   * The session's process is stopped by a signal (`pid`) or not (null), as the caller sees it on its
   * host now: a silence firing meanwhile says so. See `HeartbeatMissingRule.processStopped`.
   */
  processStopped(sessionId: string, pid: number | null): void {
    this.heartbeat?.processStopped(sessionId, pid);
  }

  /**
   * The caller itself saw nothing from `fromMs` to `toMs`: its own process was stopped (SIGSTOP, a
   * suspended machine) or its event loop blocked. Only the bot's own alerts call this; see
   * `HeartbeatMissingRule.observerStopped`.
   */
  observerStopped(fromMs: number, toMs: number): void {
    this.heartbeat?.observerStopped(fromMs, toMs);
  }

  /** Notes produced since the last call (see AlertNote): written, never notified. */
  takeNotes(): AlertNote[] {
    return this.heartbeat?.takeNotes() ?? [];
  }

  /** Sessions the heartbeat rule expects to keep beating (started, not ended). */
  watchedSessions(): string[] {
    return this.heartbeat?.watchedSessions() ?? [];
  }

  /** How often a caller should call `advance` so a silence fires within one heartbeat interval. */
  checkEveryMs(): number {
    return this.heartbeat ? this.heartbeat.shortestIntervalMs() : this.options.heartbeat.defaultIntervalS * 1000;
  }

  openAlerts(): AlertFired[] {
    return this.tracker.openAlerts();
  }

  private sorted(): AlertTransition[] {
    return this.tracker.take().sort((a, b) => a.at - b.at);
  }
}
