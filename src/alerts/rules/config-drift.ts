import type { EventType } from '../../recorder/events/catalog.js';
import type { AlertOptions } from '../alert-options.js';
import type { AlertTracker } from '../alert-tracker.js';
import { evidenceOf, lineTime, type Observation } from '../alert-transition.js';
import type { RuleEvaluator } from './rule.js';

const SUBJECT = 'config';

interface Drift {
  readonly session: string;
  readonly hash: string;
  readonly firedAt: number;
}

/**
 * `config_drift`: a CONFIG_DIFF fires (subject `config`: one open drift per data directory, later
 * diffs while it is open are absorbed). It resolves when a later session starts with the drifted
 * config again (the change was kept on purpose), or after `resolveAfterS` when that is set.
 */
export class ConfigDriftRule implements RuleEvaluator {
  readonly rule = 'config_drift' as const;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['CONFIG_DIFF', 'CONFIG_HASH']);
  private drift: Drift | null = null;

  constructor(private readonly options: AlertOptions['configDrift']) {}

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    const at = lineTime(line);
    if (line.event_type === 'CONFIG_DIFF') {
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
      });
      this.drift = { session: line.session_id, hash: line.current_hash, firedAt: fired ? at : (this.drift?.firedAt ?? at) };
    } else if (line.event_type === 'CONFIG_HASH' && this.drift && line.session_id !== this.drift.session && line.config_hash === this.drift.hash) {
      tracker.resolve({
        rule: this.rule,
        subject: SUBJECT,
        message: `${line.session_id} started with the drifted config ${line.config_hash} again: the change was kept`,
        at,
      });
      this.drift = null;
    }
  }

  advance(nowMs: number, tracker: AlertTracker): void {
    const { resolveAfterS } = this.options;
    if (!this.drift || resolveAfterS === null) return;
    const due = this.drift.firedAt + resolveAfterS * 1000;
    if (nowMs < due) return;
    tracker.resolve({ rule: this.rule, subject: SUBJECT, message: `acknowledged automatically after ${resolveAfterS} s`, at: due });
    this.drift = null;
  }
}
