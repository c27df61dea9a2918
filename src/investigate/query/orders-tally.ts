import type { LocatedEvent } from './find-events.js';
import { byTime } from './find-events.js';

export const ORDER_STATUSES = ['filled', 'failed', 'canceled', 'open', 'retried'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One order intent: its attempts (one ORDER_CONTEXT each) and how it ended. */
export interface IntentSummary {
  readonly intentId: string;
  readonly decisionId: string | undefined;
  readonly symbol: string;
  readonly side: string;
  readonly events: LocatedEvent[];
  readonly contexts: LocatedEvent[];
  readonly retries: LocatedEvent[];
  /** The line that gave the verdict (see VERDICTS): ORDER_FAILED, else the last ORDER_FILLED, else ORDER_CANCELED. */
  readonly terminal: LocatedEvent | undefined;
  readonly status: 'filled' | 'failed' | 'canceled' | 'open';
}

/** Failed intents of one reason: how many, and the most recent one in full. */
export interface FailureGroup {
  count: number;
  latest: IntentSummary;
}

/** What `orders` answers, of a size bounded by `limit` whatever the log size. */
export interface OrdersReport {
  readonly total: number;
  readonly counts: Record<IntentSummary['status'], number>;
  readonly failures: ReadonlyMap<string, FailureGroup>;
  /** The latest `limit` matching intents, oldest first. */
  readonly latest: IntentSummary[];
}

export interface IntentFilter {
  readonly symbol?: string;
  readonly status?: OrderStatus;
}

export const ORDER_TYPES = ['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'ORDER_FAILED', 'ORDER_CANCELED'] as const;

/**
 * The lines that can end an intent, strongest verdict first, as src/execution/order-router.ts writes
 * them when it settles an attempt: an IOC/FOK order that expired with nothing filled is
 * ORDER_CANCELED (the remainder) then ORDER_FAILED (slippage), and the intent failed; one that
 * filled in part is ORDER_FILLED (partial) then ORDER_CANCELED, and the intent filled. ORDER_FAILED
 * is written once per intent, for good, and so outranks anything before it (it can also follow an
 * ORDER_FILLED when the recorder failed mid-settle). ORDER_CANCELED alone (no fill, no failure)
 * leaves the intent canceled.
 */
const VERDICTS: readonly (readonly [(typeof ORDER_TYPES)[number], Exclude<IntentSummary['status'], 'open'>])[] = [
  ['ORDER_FAILED', 'failed'],
  ['ORDER_FILLED', 'filled'],
  ['ORDER_CANCELED', 'canceled'],
];
const isVerdict = (type: string): boolean => VERDICTS.some(([t]) => t === type);

/** Intents that ended this recently still take a straggling line (written a moment after the end). */
const RECENTLY_ENDED = 4096;

export function summarizeIntent(intentId: string, list: readonly LocatedEvent[]): IntentSummary {
  const sorted = [...list].sort(byTime);
  let terminal: LocatedEvent | undefined;
  let status: IntentSummary['status'] = 'open';
  for (const [type, verdict] of VERDICTS) {
    terminal = sorted.findLast((e) => e.event.event_type === type);
    if (terminal) {
      status = verdict;
      break;
    }
  }
  const head = sorted[0]?.event as { symbol?: string } | undefined;
  const sideEvent = sorted.find((e) => typeof (e.event as { side?: unknown }).side === 'string')?.event as { side?: string } | undefined;
  return {
    intentId,
    decisionId: sorted.find((e) => e.event.decision_id)?.event.decision_id,
    symbol: head?.symbol ?? '?',
    side: sideEvent?.side ?? '?',
    events: sorted,
    contexts: sorted.filter((e) => e.event.event_type === 'ORDER_CONTEXT'),
    retries: sorted.filter((e) => e.event.event_type === 'ORDER_RETRY'),
    terminal,
    status,
  };
}

export function failureReason(s: IntentSummary): string {
  if (!s.terminal || s.status !== 'failed') return '';
  const reason = (s.terminal.event as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : '?';
}

/**
 * Order lines in, per-intent summaries out, while the scan streams: an intent's lines are held only
 * until it is settled (so memory is the intents in flight), then it is counted, grouped by failure
 * reason (count + latest example), handed to `onIntent` (for --json) and kept only if it is among the
 * latest `limit`. ORDER_FAILED settles an intent at once; after ORDER_FILLED or ORDER_CANCELED more
 * of its outcome may follow (a cancel, then a failure: see VERDICTS), which the router writes at
 * once, one line after the other, so the intent settles when a line of another intent comes (or
 * the scan ends).
 */
export class OrdersTally {
  private readonly pending = new Map<string, LocatedEvent[]>();
  /** Pending intents with a fill or a cancel, waiting only for the rest of their outcome's lines. */
  private readonly settling = new Set<string>();
  private readonly ended = new Map<string, IntentSummary | null>();
  private readonly latest: IntentSummary[] = [];
  private readonly failures = new Map<string, FailureGroup>();
  private readonly counts: Record<IntentSummary['status'], number> = { filled: 0, failed: 0, canceled: 0, open: 0 };
  private total = 0;

  constructor(
    private readonly filter: IntentFilter,
    private readonly limit: number,
    private readonly onIntent?: (summary: IntentSummary) => void,
  ) {}

  add(e: LocatedEvent): void {
    const id = e.event.intent_id;
    if (!id || !(ORDER_TYPES as readonly string[]).includes(e.event.event_type)) return;
    for (const other of this.settling) if (other !== id) this.finish(other);
    if (this.ended.has(id)) {
      // A straggler after the end: joins the shown example if it is one, never reopens the intent.
      const shown = this.ended.get(id);
      if (shown) shown.events.push(e);
      return;
    }
    const list = this.pending.get(id);
    if (list) list.push(e);
    else this.pending.set(id, [e]);
    if (e.event.event_type === 'ORDER_FAILED') this.finish(id);
    else if (isVerdict(e.event.event_type)) this.settling.add(id);
  }

  end(): OrdersReport {
    for (const id of [...this.pending.keys()]) this.finish(id);
    this.trim();
    for (const s of this.latest) s.events.sort(byTime);
    return { total: this.total, counts: { ...this.counts }, failures: this.failures, latest: this.latest };
  }

  private finish(id: string): void {
    const summary = summarizeIntent(id, this.pending.get(id) ?? []);
    this.pending.delete(id);
    this.settling.delete(id);
    this.ended.set(id, null);
    if (this.ended.size > RECENTLY_ENDED) this.ended.delete(this.ended.keys().next().value ?? id);
    if (!this.keep(summary)) return;
    this.total++;
    this.counts[summary.status]++;
    if (summary.status === 'failed') {
      const reason = failureReason(summary);
      const group = this.failures.get(reason);
      if (!group) this.failures.set(reason, { count: 1, latest: summary });
      else {
        group.count++;
        if (isLater(summary, group.latest)) group.latest = summary;
      }
    }
    this.onIntent?.(summary);
    if (this.limit > 0) {
      this.latest.push(summary);
      this.ended.set(id, summary);
      if (this.latest.length > this.limit * 2) this.trim();
    }
  }

  /** Keeps the latest `limit` by start time (lines of one file come in order, across files nearly). */
  private trim(): void {
    this.latest.sort((a, b) => (a.events[0] && b.events[0] ? byTime(a.events[0], b.events[0]) : 0));
    for (const dropped of this.latest.splice(0, this.latest.length - this.limit)) {
      if (this.ended.has(dropped.intentId)) this.ended.set(dropped.intentId, null);
    }
  }

  private keep(summary: IntentSummary): boolean {
    if (this.filter.symbol && summary.symbol !== this.filter.symbol) return false;
    if (this.filter.status === 'retried') return summary.retries.length > 0;
    return !this.filter.status || summary.status === this.filter.status;
  }
}

function isLater(a: IntentSummary, b: IntentSummary): boolean {
  const at = a.terminal ?? a.events[a.events.length - 1];
  const bt = b.terminal ?? b.events[b.events.length - 1];
  return !bt || (at !== undefined && byTime(at, bt) >= 0);
}
