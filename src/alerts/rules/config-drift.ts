import type { EventType } from '../../recorder/events/catalog.js';
import type { AlertOptions } from '../alert-options.js';
import type { AlertTracker } from '../alert-tracker.js';
import { evidenceOf, lineOrigin, lineTime, type Observation } from '../alert-transition.js';
import type { RuleEvaluator } from './rule.js';

const SUBJECT = 'config';

interface Drift {
  readonly session: string;
  readonly hash: string;
  readonly firedAt: number;
}

/** A later session's CONFIG_HASH matched the drift: it resolves unless that session drifts too. */
interface PendingResolve {
  readonly session: string;
  readonly hash: string;
  readonly at: number;
}

/**
 * How long after its CONFIG_HASH a session's CONFIG_DIFF can still come: the bot writes both in one
 * burst at startup, well within this.
 */
const STARTUP_BURST_MS = 1000;

/**
 * `config_drift`: each CONFIG_DIFF fires (subject `config`: at most one open drift per data
 * directory). A later session's CONFIG_DIFF supersedes the open drift: it is resolved and the new
 * one fires, as the bot itself does (its alert engine starts with each session), so both name the
 * same incidents with the same ids. A drift resolves when a later session starts with the drifted
 * config again (the change was kept on purpose), when its own session is refused before trading
 * (SESSION_END reason refused: that config never ran, and the next session is compared with the last
 * one that traded), or after `resolveAfterS` when that is set.
 *
 * "Starts with it again" is settled at that session's SESSION_START (or a second after its
 * CONFIG_HASH), not at the hash alone: a session can hold the drifted config and still drift from
 * its own baseline (the one before a refused session), writing its CONFIG_DIFF right after the
 * hash. Resolving at the hash would flap RESOLVED then FIRED within milliseconds.
 */
export class ConfigDriftRule implements RuleEvaluator {
  readonly rule = 'config_drift' as const;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['CONFIG_DIFF', 'CONFIG_HASH', 'SESSION_START', 'SESSION_END']);
  private drift: Drift | null = null;
  private pending: PendingResolve | null = null;

  constructor(private readonly options: AlertOptions['configDrift']) {}

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    const at = lineTime(line);
    this.settle(at, tracker);
    if (line.event_type === 'CONFIG_DIFF') {
      // The session that seemed to keep the drifted config drifts itself: not kept, this drift is news.
      if (this.pending?.session === line.session_id) this.pending = null;
      const open = this.drift;
      if (open && open.session !== line.session_id) {
        tracker.resolve({
          rule: this.rule,
          subject: SUBJECT,
          message: `superseded: ${line.session_id} changed the config again (${line.prev_hash.slice(0, 8)} -> ${line.current_hash.slice(0, 8)}); the alert for that change follows`,
          at,
        });
      }
      const fired = tracker.fire({
        rule: this.rule,
        subject: SUBJECT,
        severity: 'warning',
        message: `${line.message} (${line.changes.length} changed: ${line.changes.map((c) => c.path).join(', ') || 'none listed'}) vs ${line.prev_session}`,
        evidence: [
          evidenceOf(observation, {
            prev_hash: line.prev_hash,
            current_hash: line.current_hash,
            prev_session: line.prev_session,
            changed: line.changes.map((c) => c.path),
          }),
        ],
        nextCommand: 'tradetrace drift',
        at,
        origin: lineOrigin(line),
      });
      this.drift = { session: line.session_id, hash: line.current_hash, firedAt: fired ? at : (this.drift?.firedAt ?? at) };
    } else if (line.event_type === 'CONFIG_HASH' && this.drift && line.session_id !== this.drift.session && line.config_hash === this.drift.hash) {
      this.pending = { session: line.session_id, hash: line.config_hash, at };
    } else if (line.event_type === 'SESSION_START' && this.pending?.session === line.session_id) {
      this.resolvePending(tracker);
    } else if (line.event_type === 'SESSION_END' && line.reason === 'refused' && this.drift?.session === line.session_id) {
      tracker.resolve({ rule: this.rule, subject: SUBJECT, message: `${line.session_id} was refused before trading (${line.error_code ?? 'refused'}): its config ${this.drift.hash.slice(0, 8)} never ran`, at });
      this.drift = null;
      this.pending = null;
    }
  }

  /** A pending resolution whose startup burst is over without a CONFIG_DIFF: the change was kept. */
  private settle(nowMs: number, tracker: AlertTracker): void {
    if (this.pending && nowMs >= this.pending.at + STARTUP_BURST_MS) this.resolvePending(tracker);
  }

  private resolvePending(tracker: AlertTracker): void {
    const pending = this.pending;
    if (!pending) return;
    tracker.resolve({
      rule: this.rule,
      subject: SUBJECT,
      message: `${pending.session} started with the drifted config ${pending.hash} again: the change was kept`,
      at: pending.at,
    });
    this.drift = null;
    this.pending = null;
  }

  advance(nowMs: number, tracker: AlertTracker): void {
    this.settle(nowMs, tracker);
    const { resolveAfterS } = this.options;
    if (!this.drift || resolveAfterS === null) return;
    const due = this.drift.firedAt + resolveAfterS * 1000;
    if (nowMs < due) return;
    tracker.resolve({ rule: this.rule, subject: SUBJECT, message: `acknowledged automatically after ${resolveAfterS} s`, at: due });
    this.drift = null;
    this.pending = null;
  }
}
