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

interface Failure {
  readonly reason: string;
  readonly evidence: Evidence;
  /** `lineOrigin` of the ORDER_FAILED. */
  readonly origin: string;
}

interface Intent {
  readonly at: number;
  /** Its outcome is known: ORDER_FAILED, a final ORDER_FILLED, ORDER_CANCELED after a partial fill, or a reconciliation. */
  settled: boolean;
  failure: Failure | null;
  /**
   * ORDER_FAILED timeout_exhausted: the router gave up on an order it sent and never heard back
   * about, so the order may still fill, and the session's order watcher (src/engine/order-watcher.ts)
   * keeps asking the exchange, writing ORDER_FILLED under the same intent when it did. Until this
   * time (ms) the intent counts like one in flight; after it, as a failure, until a late fill comes.
   */
  lookupUntil: number | null;
}

/** What restart reconciliation found, as `tradetrace orders` reads it (src/investigate/query/orders-tally.ts). */
function reconciled(line: { readonly outcome: string; readonly filled_qty: unknown; readonly exchange_status?: string | undefined }): 'filled' | 'failed' | 'canceled' | 'open' {
  switch (line.outcome) {
    case 'booked_fill':
      return 'filled';
    case 'canceled':
      return lineNumber(line.filled_qty) > 0 ? 'filled' : line.exchange_status === 'rejected' ? 'failed' : 'canceled';
    case 'not_found':
      return 'failed';
    default:
      return 'open';
  }
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
 *
 * The outcome is the one `tradetrace orders` gives the intent: an ORDER_FAILED timeout_exhausted is
 * an order the exchange may yet fill, and counts as in flight for `lateFillGraceS` (the order
 * watcher's chance to look it up, once a bar), then as a failure; an ORDER_FILLED for it, whenever it
 * comes within the window, makes it a success (a rate it had raised falls, and may resolve the
 * alert). So does an ORDER_RECONCILED that books a fill (the order filled while the bot was down); a
 * reconciliation's failure or cancel settles only an intent the router gave no verdict.
 */
export class OrderFailureRateRule implements RuleEvaluator {
  readonly rule = RULE;
  readonly watches: ReadonlySet<EventType> = new Set<EventType>(['ORDER_CONTEXT', 'ORDER_FAILED', 'ORDER_FILLED', 'ORDER_CANCELED', 'ORDER_RECONCILED']);
  /** Insertion order is start order (lines are fed in time order), so the oldest intent is first. */
  private readonly intents = new Map<string, Intent>();
  /** Intents whose lookup grace runs (`lookupUntil` set): a few at a time. */
  private readonly lookingUp = new Set<string>();
  /**
   * What the window's intents add up to, kept as they change (see `change`): summing them on every
   * order line cost the bot O(intents in the window) per line, and a busy 15-minute window holds
   * tens of thousands (a replay at full speed slowed five-fold).
   */
  private readonly counts = { total: 0, failed: 0, awaiting: 0, reasons: new Map<string, number>() };

  constructor(private readonly options: AlertOptions['orderFailure']) {}

  observe(observation: Observation, tracker: AlertTracker): void {
    const { line } = observation;
    const at = lineTime(line);
    this.advance(at, tracker);
    const intentId = line.intent_id ?? `${line.session_id}#${line.seq}`;
    let note = '';
    if (line.event_type === 'ORDER_CONTEXT') {
      // In flight: it changes no rate until it settles.
      if (line.attempt === 1 && !this.intents.has(intentId)) this.intents.set(intentId, { at, settled: false, failure: null, lookupUntil: null });
      return;
    }
    if (line.event_type === 'ORDER_FAILED') {
      const failure = { reason: line.reason, evidence: evidenceOf(observation, { reason: line.reason, symbol: line.symbol, attempt: line.attempt }), origin: lineOrigin(line) };
      let intent = this.intents.get(intentId);
      if (!intent) {
        intent = { at, settled: false, failure: null, lookupUntil: null };
        this.intents.set(intentId, intent);
      }
      const lookup = line.reason === 'timeout_exhausted' && this.options.lateFillGraceS > 0;
      this.change(intent, (i) => {
        i.settled = true;
        i.failure = failure;
        if (lookup) i.lookupUntil = at + this.options.lateFillGraceS * 1000;
      });
      if (lookup) {
        this.lookingUp.add(intentId);
        // Not counted yet: nothing changed.
        return;
      }
    } else if (line.event_type === 'ORDER_FILLED' || line.event_type === 'ORDER_CANCELED') {
      const intent = this.intents.get(intentId);
      if (!intent) return;
      if (line.event_type === 'ORDER_FILLED' && intent.failure?.reason === 'timeout_exhausted') {
        // The order watcher found the order the router gave up on filled: the intent filled after all.
        // Counted as a failure already (its lookup grace had passed): say why the rate fell.
        if (intent.lookupUntil === null) note = `; ${intentId} filled after the router gave up on it (found by the order watcher)`;
        this.settleAsFilled(intentId, intent);
      } else {
        // A partial fill is followed by more fills or a cancel; an intent we never saw start is outside the window.
        if (intent.settled || (line.event_type === 'ORDER_FILLED' && line.partial)) return;
        // A cancel with nothing filled (an IOC that expired) is followed by the intent's ORDER_FAILED:
        // settled here as a success, it lowered the rate for a moment and could resolve an open alert
        // just before the failure fired it again.
        if (line.event_type === 'ORDER_CANCELED' && !(lineNumber(line.filled_qty) > 0)) return;
        this.change(intent, (i) => {
          i.settled = true;
        });
      }
    } else if (line.event_type === 'ORDER_RECONCILED') {
      const intent = this.intents.get(intentId);
      const status = reconciled(line);
      if (!intent || status === 'open') return;
      if (status === 'filled') {
        if (intent.settled && intent.failure === null) return;
        if (intent.failure !== null && intent.lookupUntil === null) note = `; ${intentId} filled after all (booked by restart reconciliation)`;
        this.settleAsFilled(intentId, intent);
      } else {
        // The router's own verdict stands; a reconciliation only settles an intent left without one.
        if (intent.settled) return;
        const reason = line.outcome === 'not_found' ? 'not_found' : 'rejected';
        const failure = status === 'failed' ? { reason, evidence: evidenceOf(observation, { reason, symbol: line.symbol, outcome: line.outcome }), origin: lineOrigin(line) } : null;
        this.change(intent, (i) => {
          i.settled = true;
          if (failure) i.failure = failure;
        });
      }
    } else {
      return;
    }
    this.evaluate(at, tracker, lineOrigin(line), note);
  }

  private settleAsFilled(intentId: string, intent: Intent): void {
    this.change(intent, (i) => {
      i.settled = true;
      i.failure = null;
      i.lookupUntil = null;
    });
    this.lookingUp.delete(intentId);
  }

  /** Changes an intent in the window, keeping `counts` what a sum over the window would give. */
  private change(intent: Intent, mutate: (intent: Intent) => void): void {
    this.tally(intent, -1);
    mutate(intent);
    this.tally(intent, 1);
  }

  private tally(intent: Intent, sign: 1 | -1): void {
    if (!intent.settled) return;
    const { counts } = this;
    if (intent.lookupUntil !== null) {
      counts.awaiting += sign;
      return;
    }
    counts.total += sign;
    if (!intent.failure) return;
    counts.failed += sign;
    const left = (counts.reasons.get(intent.failure.reason) ?? 0) + sign;
    if (left === 0) counts.reasons.delete(intent.failure.reason);
    else counts.reasons.set(intent.failure.reason, left);
  }

  advance(nowMs: number, tracker: AlertTracker): void {
    const windowMs = this.options.windowS * 1000;
    // One change at a time, in time order, so a firing or resolution carries the moment the rate changed:
    // an intent ageing out of the window, or a timeout's lookup grace passing without a late fill.
    for (;;) {
      const oldest = this.intents.entries().next();
      const expiry = oldest.done === true ? Infinity : oldest.value[1].at + windowMs;
      let lookup: { id: string; intent: Intent; until: number } | null = null;
      for (const id of this.lookingUp) {
        const intent = this.intents.get(id);
        if (intent?.lookupUntil == null) continue;
        if (!lookup || intent.lookupUntil < lookup.until) lookup = { id, intent, until: intent.lookupUntil };
      }
      if (lookup && lookup.until <= expiry && lookup.until <= nowMs) {
        this.change(lookup.intent, (i) => {
          i.lookupUntil = null;
        });
        this.lookingUp.delete(lookup.id);
        const origin = lookup.intent.failure?.origin;
        this.evaluate(lookup.until, tracker, origin !== undefined ? `no late fill for ${origin}` : undefined);
        continue;
      }
      if (oldest.done === true || expiry > nowMs) return;
      this.tally(oldest.value[1], -1);
      this.intents.delete(oldest.value[0]);
      this.lookingUp.delete(oldest.value[0]);
      this.evaluate(expiry, tracker);
    }
  }

  /**
   * `origin`: the line whose arrival is evaluated, or the lookup that ended; none when an intent
   * ageing out is (its time then identifies the firing). `note`: why the rate changed, when not plain.
   */
  private evaluate(at: number, tracker: AlertTracker, origin?: string, note = ''): void {
    const { total, failed, awaiting, reasons } = this.counts;
    const rate = total === 0 ? 0 : failed / total;
    const { threshold, minIntents, windowS, lateFillGraceS } = this.options;
    const open = tracker.isOpen(RULE, SUBJECT);
    // Hysteresis: an open alert holds until the rate is clearly back (RESOLVE_FRACTION of the
    // threshold), so a rate hovering at the threshold is one incident, not a FIRED/RESOLVED flap.
    const clear = threshold * RESOLVE_FRACTION;
    if (total >= minIntents && (rate > threshold || (open && rate > clear))) {
      // Firing an open alert changes nothing: its text and evidence are made only for a new one.
      if (open) return;
      const pending = awaiting > 0 ? `; ${awaiting} more gave up on a timeout and count once ${lateFillGraceS} s pass without a late fill` : '';
      const byReason = [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r, n]) => `${r} x${n}`).join(', ');
      tracker.fire({
        rule: RULE,
        subject: SUBJECT,
        severity: 'warning',
        message: `${failed} of ${total} order intents failed (${comparedPercents(rate, '>', threshold)}) in the last ${windowS} s; reasons: ${byReason}${pending}`,
        evidence: this.latestFailures().map((f) => f.evidence),
        nextCommand: 'tradetrace orders --status failed',
        at,
        ...(origin !== undefined ? { origin } : {}),
      });
    } else if (open) {
      const why = total < minIntents ? `only ${total} intents in the last ${windowS} s (< ${minIntents})` : `${failed} of ${total} intents failed (${comparedPercents(rate, '<=', clear)})`;
      tracker.resolve({ rule: RULE, subject: SUBJECT, message: `${why}${note}`, at });
    }
  }

  /** The last EVIDENCE_KEPT counted failures, in start order: a walk of the window, once per firing. */
  private latestFailures(): Failure[] {
    const kept: Failure[] = [];
    for (const intent of this.intents.values()) {
      if (!intent.settled || intent.lookupUntil !== null || !intent.failure) continue;
      kept.push(intent.failure);
      if (kept.length > EVIDENCE_KEPT) kept.shift();
    }
    return kept;
  }
}

/**
 * `a op b` in percent, with as many decimals as it takes for two different values to print
 * differently: rounded to whole percents, 18327 of 36653 (50.0014%) read "50% > 50%", which looks
 * false and hides how close to the threshold the rate is. Trailing zeros are dropped (`50%`, not `50.000%`).
 */
export function comparedPercents(a: number, op: '>' | '<=', b: number): string {
  const trim = (text: string) => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);
  // Beyond 12 decimals the two are equal but for floating-point noise: whole percents say so.
  let decimals = 0;
  for (let d = 0; d <= 12; d++) {
    if (Number((a * 100).toFixed(d)) !== Number((b * 100).toFixed(d))) {
      decimals = d;
      break;
    }
  }
  return `${trim((a * 100).toFixed(decimals))}% ${op} ${trim((b * 100).toFixed(decimals))}%`;
}
