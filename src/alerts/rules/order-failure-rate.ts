import type { EventType } from '../../recorder/events/catalog.js';
import { lineNumber } from '../line-number.js';
import type { AlertOptions } from '../alert-options.js';
import type { AlertTracker } from '../alert-tracker.js';
import { evidenceOf, lineOrigin, lineTime, type Evidence, type Observation } from '../alert-transition.js';
import type { RuleEvaluator } from './rule.js';

const RULE = 'order_failure_rate' as const;
const SUBJECT = 'orders';
const EVIDENCE_KEPT = 5;
/** An open alert resolves once the rate is at or below this fraction of the threshold. */
export const RESOLVE_FRACTION = 0.8;

interface Intent {
  readonly at: number;
  /** Its outcome is known: ORDER_FAILED, a final ORDER_FILLED, or ORDER_CANCELED after a partial fill. */
  settled: boolean;
  failure: { readonly reason: string; readonly evidence: Evidence } | null;
}

/**
 * `order_failure_rate`, subject `orders`. Definition: an order intent is counted once, at its first
 * attempt's ORDER_CONTEXT (attempt 1; retries are not new intents). The window holds the intents that
 * started in the last `windowS` seconds; the rate is how many of its settled intents have an
 * ORDER_FAILED (for good: the router writes it once per intent, after its retries). An intent still in
 * flight counts for neither side: its outcome would otherwise be read as a success until it fails.
 * An ORDER_FAILED whose ORDER_CONTEXT was never seen (written before the watched range, or refused
 * before sending) counts as an intent that started and failed at the failure. Fires when at least
 * `minIntents` settled intents are in the window and the rate exceeds `threshold`; resolves when the
 * rate falls to RESOLVE_FRACTION of it, or fewer than `minIntents` are left (new successes, or
 * failures ageing out).
 */
export class OrderFailureRateRule implements RuleEvaluator {
  readonly rule = RULE;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['ORDER_CONTEXT', 'ORDER_FAILED', 'ORDER_FILLED', 'ORDER_CANCELED']);
  /** Insertion order is start order (lines are fed in time order), so the oldest intent is first. */
  private readonly intents = new Map<string, Intent>();

  constructor(private readonly options: AlertOptions['orderFailure']) {}

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    const at = lineTime(line);
    this.advance(at, tracker);
    const intentId = line.intent_id ?? `${line.session_id}#${line.seq}`;
    if (line.event_type === 'ORDER_CONTEXT') {
      // In flight: it changes no rate until it settles.
      if (line.attempt === 1 && !this.intents.has(intentId)) this.intents.set(intentId, { at, settled: false, failure: null });
      return;
    }
    if (line.event_type === 'ORDER_FAILED') {
      const failure = { reason: line.reason, evidence: evidenceOf(observation, { reason: line.reason, symbol: line.symbol, attempt: line.attempt }) };
      const intent = this.intents.get(intentId);
      if (intent) {
        intent.settled = true;
        intent.failure = failure;
      } else {
        this.intents.set(intentId, { at, settled: true, failure });
      }
    } else if (line.event_type === 'ORDER_FILLED' || line.event_type === 'ORDER_CANCELED') {
      const intent = this.intents.get(intentId);
      // A partial fill is followed by more fills or a cancel; an intent we never saw start is outside the window.
      if (!intent || intent.settled || (line.event_type === 'ORDER_FILLED' && line.partial)) return;
      // A cancel with nothing filled (an IOC that expired) is followed by the intent's ORDER_FAILED:
      // settled here as a success, it lowered the rate for a moment and could resolve an open alert
      // just before the failure fired it again.
      if (line.event_type === 'ORDER_CANCELED' && !(lineNumber(line.filled_qty) > 0)) return;
      intent.settled = true;
    } else {
      return;
    }
    this.evaluate(at, tracker, lineOrigin(line));
  }

  advance(nowMs: number, tracker: AlertTracker): void {
    const windowMs = this.options.windowS * 1000;
    // Expire one intent at a time so a resolution carries the moment the rate actually dropped.
    for (const [id, intent] of this.intents) {
      const expiry = intent.at + windowMs;
      if (expiry > nowMs) break;
      this.intents.delete(id);
      this.evaluate(expiry, tracker);
    }
  }

  /** `origin`: the line whose arrival is evaluated; none when an intent ageing out is (its time then identifies the firing). */
  private evaluate(at: number, tracker: AlertTracker, origin?: string): void {
    let total = 0;
    const failures: NonNullable<Intent['failure']>[] = [];
    for (const intent of this.intents.values()) {
      if (!intent.settled) continue;
      total++;
      if (intent.failure) failures.push(intent.failure);
    }
    const rate = total === 0 ? 0 : failures.length / total;
    const { threshold, minIntents, windowS } = this.options;
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    const open = tracker.isOpen(RULE, SUBJECT);
    // Hysteresis: an open alert holds until the rate is clearly back (RESOLVE_FRACTION of the
    // threshold), so a rate hovering at the threshold is one incident, not a FIRED/RESOLVED flap.
    const clear = threshold * RESOLVE_FRACTION;
    if (total >= minIntents && (rate > threshold || (open && rate > clear))) {
      const reasons = new Map<string, number>();
      for (const f of failures) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
      const byReason = [...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} x${n}`).join(', ');
      tracker.fire({
        rule: RULE,
        subject: SUBJECT,
        severity: 'warning',
        message: `${failures.length} of ${total} order intents failed (${pct(rate)} > ${pct(threshold)}) in the last ${windowS} s; reasons: ${byReason}`,
        evidence: failures.slice(-EVIDENCE_KEPT).map((f) => f.evidence),
        nextCommand: 'tradetrace orders --status failed',
        at,
        ...(origin !== undefined ? { origin } : {}),
      });
    } else {
      const why = total < minIntents ? `only ${total} intents in the last ${windowS} s (< ${minIntents})` : `${failures.length} of ${total} intents failed (${pct(rate)} <= ${pct(open ? clear : threshold)})`;
      tracker.resolve({ rule: RULE, subject: SUBJECT, message: why, at });
    }
  }
}
