import type { LocatedEvent } from './find-events.js';
import type { DamagedLine } from './intent-damaged-lines.js';
import { byTime, inWindow, ORDER_SLACK_MS, type TimeWindow } from './find-events.js';
import { positiveWritten, writtenNumber } from './written-number.js';

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
  /**
   * The line that gave the verdict (see VERDICTS and `summarizeIntent`): an ORDER_FILLED after the
   * router gave up on a timeout (`lateFill`), else ORDER_FAILED, else the last ORDER_FILLED, else
   * ORDER_CANCELED; or ORDER_RECONCILED when restart reconciliation settled the intent (see
   * `settledByReconciliation`), a partly filled order it found closed included. An intent open
   * because its order filled in part and rests on the exchange keeps its last ORDER_FILLED here.
   */
  readonly terminal: LocatedEvent | undefined;
  /**
   * `open` is an intent with no final state yet: nothing settled it, or its order filled in part and
   * still rests on the exchange (`fill` is then set: see `partlyFilled`).
   */
  readonly status: 'filled' | 'failed' | 'canceled' | 'open';
  /** What the order filled, as its latest fill line reports it (cumulative); undefined when nothing filled. */
  readonly fill: IntentFill | undefined;
  /**
   * The intent's latest ORDER_RECONCILED: a later session, started after this one's bot stopped with
   * the order unsettled, asked the exchange about it. Written in that later session, so it is the one
   * line of the intent whose session_id is not the placing session's.
   */
  readonly reconciled: LocatedEvent | undefined;
}

/**
 * An intent's fill as its latest fill line gives it: ORDER_FILLED (cumulative over the order: the
 * quantity filled so far and the average price of all its fills), or a later ORDER_RECONCILED that
 * reports a fill. Never the first line's: a resting GTC order gets one ORDER_FILLED per look-up that
 * found more filled.
 */
export interface IntentFill {
  readonly line: LocatedEvent;
  /** Base quantity filled over the whole order, as written. */
  readonly qty: string;
  /** Average price of all the order's fills, as written ('?' when the line has none). */
  readonly avgPx: string;
  /** The quantity the order asked for (its attempt's ORDER_CONTEXT), when known. */
  readonly requested: string | undefined;
  /** ORDER_FILLED lines of the intent (the ones the fill is the latest of). */
  readonly lines: number;
}

/** True when the intent filled in part and its order still rests on the exchange: no final state yet. */
export function partlyFilled(s: IntentSummary): boolean {
  return s.status === 'open' && s.fill !== undefined;
}

/**
 * True when `line`, an ORDER_RECONCILED of `lines` (its intent's), is the session's order watcher's
 * (src/engine/order-watcher.ts: the exchange has no such order, never placed) rather than a restart's
 * reconciliation. A restart reconciles before its session trades and writes one line per order, so
 * a line of its intent written earlier in the same session (the attempt's own router lines, or the
 * restart's reconciliation of that same order, found unknown) makes it the watcher's. Told by seq
 * (the session's own counter), not ts: a replay's lines may share a time.
 */
export function byOrderWatcher(line: LocatedEvent, lines: readonly LocatedEvent[]): boolean {
  const { session_id: session, seq } = line.event;
  const order = clientOrderIdOf(line);
  return lines.some((e) => e !== line && e.event.session_id === session && e.event.seq < seq
    && (e.event.event_type !== 'ORDER_RECONCILED' || clientOrderIdOf(e) === order));
}

/** True when the intent's status is what restart reconciliation found (its terminal line is ORDER_RECONCILED). */
export function settledByReconciliation(s: IntentSummary): boolean {
  return s.terminal?.event.event_type === 'ORDER_RECONCILED';
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
  /** Matching open intents that filled in part, their order still resting on the exchange (counted in `counts.open` too). */
  readonly partlyFilled: number;
  /** Matching intents whose status restart reconciliation gave (counted in `counts` under that status too). */
  readonly reconciled: number;
  /** Of `reconciled`, those the restarted session's order watcher settled (the exchange never had the order: see byOrderWatcher). */
  readonly byWatcher: number;
  /** Every session with an order line the scan met, matching the filter or not: what an unknown --session is checked against. */
  readonly sessions: ReadonlySet<string>;
  readonly failures: ReadonlyMap<string, FailureGroup>;
  /** The latest `limit` matching intents, oldest first. */
  readonly latest: IntentSummary[];
  /** Lines of intents in `latest` the query skipped as unreadable (see findOrders), by intent id. */
  readonly damaged?: ReadonlyMap<string, readonly DamagedLine[]>;
}

export interface IntentFilter {
  readonly symbol?: string;
  readonly status?: OrderStatus;
  /**
   * Intents with a line in this session: placed there, or settled there by restart reconciliation.
   * An intent matches whole, so its lines from the other session come with it.
   */
  readonly session?: string;
  /**
   * Intents with a line in this window, listed whole: --since/--until cutting through an intent drew
   * its verdict from part of its lines (FILLED with 0 attempts, OPEN though it filled).
   */
  readonly window?: TimeWindow;
}

export const ORDER_TYPES = ['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'ORDER_FAILED', 'ORDER_CANCELED', 'ORDER_RECONCILED'] as const;

/**
 * The lines that can end an intent, strongest verdict first, as src/execution/order-router.ts writes
 * them when it settles an attempt: an IOC/FOK order that expired with nothing filled is
 * ORDER_CANCELED (the remainder) then ORDER_FAILED (slippage), and the intent failed; one that
 * filled in part is ORDER_FILLED (partial) then ORDER_CANCELED, and the intent filled. ORDER_FAILED
 * is written once per intent, for good, and so outranks anything before it (it can also follow an
 * ORDER_FILLED when the recorder failed mid-settle). ORDER_CANCELED alone (no fill, no failure)
 * leaves the intent canceled. One line may come after the router's ORDER_FAILED: see `lateFill`.
 */
const VERDICTS: readonly (readonly [(typeof ORDER_TYPES)[number], Exclude<IntentSummary['status'], 'open'>])[] = [
  ['ORDER_FAILED', 'failed'],
  ['ORDER_FILLED', 'filled'],
  ['ORDER_CANCELED', 'canceled'],
];
const isVerdict = (type: string): boolean => VERDICTS.some(([t]) => t === type);

/**
 * What restart reconciliation (src/store/reconcile.ts) found, as an intent's status. A session that
 * starts with orders its store still holds unsettled (the bot was killed mid-order, or an attempt
 * timed out and could not be looked up) asks the exchange about each and writes ORDER_RECONCILED
 * with the outcome: `booked_fill` (filled while the bot was down, now booked), `canceled` (closed at
 * the exchange with nothing more filled: a fill booked earlier still makes the intent filled, as a
 * partial fill whose remainder was canceled does, and a rejection fails it as the router's
 * ORDER_FAILED rejected does), `not_found` (the exchange never got it: failed, never resent),
 * `still_open` or `unknown` (no final state yet).
 */
function reconciledStatus(e: LocatedEvent): IntentSummary['status'] {
  const line = e.event as { outcome?: unknown; filled_qty?: unknown; exchange_status?: unknown };
  switch (line.outcome) {
    case 'booked_fill': return 'filled';
    case 'canceled': return Number(line.filled_qty) > 0 ? 'filled' : line.exchange_status === 'rejected' ? 'failed' : 'canceled';
    case 'not_found': return 'failed';
    default: return 'open';
  }
}

const STATUS_RANK: Record<IntentSummary['status'], number> = { filled: 3, open: 2, failed: 1, canceled: 0 };

/**
 * An intent's reconciliation: its latest ORDER_RECONCILED per client order id (a later restart may
 * settle what an earlier one found still open), the strongest of their statuses (a fill, else an
 * order still live, else a failure, else a cancel) and the line that gave it.
 */
function reconciliationOf(sorted: readonly LocatedEvent[]): { status: IntentSummary['status']; line: LocatedEvent; latest: LocatedEvent } | undefined {
  const byOrder = new Map<string, LocatedEvent>();
  for (const e of sorted) if (e.event.event_type === 'ORDER_RECONCILED') byOrder.set(String((e.event as { client_order_id?: unknown }).client_order_id), e);
  let best: { status: IntentSummary['status']; line: LocatedEvent } | undefined;
  let latest: LocatedEvent | undefined;
  for (const line of byOrder.values()) {
    const status = reconciledStatus(line);
    if (!best || STATUS_RANK[status] > STATUS_RANK[best.status] || (status === best.status && byTime(line, best.line) > 0)) best = { status, line };
    if (!latest || byTime(line, latest) > 0) latest = line;
  }
  return best && latest ? { ...best, latest } : undefined;
}

/**
 * The order of the intent's last attempt may still live at the exchange, so a later line (the
 * session's order watcher, or a restart's reconciliation) may yet settle it: its last outcome line is
 * a partial fill with no cancel after it, an ORDER_FAILED timeout_exhausted (sent, then never found
 * out: the store holds it `unknown`), or a reconciliation that found it still open or unknown.
 */
function mayStillSettle(list: readonly LocatedEvent[]): boolean {
  const last = list.findLast((e) => isVerdict(e.event.event_type) || e.event.event_type === 'ORDER_RECONCILED')?.event as
    | { event_type: string; partial?: unknown; reason?: unknown; outcome?: unknown }
    | undefined;
  if (!last) return false;
  if (last.event_type === 'ORDER_FILLED') return last.partial === true;
  if (last.event_type === 'ORDER_FAILED') return last.reason === 'timeout_exhausted';
  if (last.event_type === 'ORDER_RECONCILED') return last.outcome === 'still_open' || last.outcome === 'unknown';
  return false;
}

/** Intents that ended this recently still take a straggling line (written a moment after the end). */
const RECENTLY_ENDED = 4096;

const isGiveUp = (e: LocatedEvent): boolean => e.event.event_type === 'ORDER_FAILED' && (e.event as { reason?: unknown }).reason === 'timeout_exhausted';

/**
 * The fill found after the router gave up on the order (ORDER_FAILED timeout_exhausted: sent, never
 * found out, so the store holds it `unknown`): the session's order watcher (src/engine/order-watcher.ts)
 * keeps asking the exchange and, when the order filled after all, writes ORDER_FILLED under the same
 * intent, later. That fill is the intent's outcome, as a fill restart reconciliation finds is, and as
 * trace follows the decision past its window for it. The watcher writes no ORDER_CANCELED or
 * ORDER_FAILED; when the exchange answers it has no such order it writes ORDER_RECONCILED not_found
 * (see `byOrderWatcher`), which settles the intent as a reconciliation's not_found does (the router's
 * failure stands, and an intent the router gave no verdict, its bot killed mid-order, fails). A
 * cancel with nothing filled would not change the outcome either, so only a fill is looked for here.
 */
function lateFill(sorted: readonly LocatedEvent[]): LocatedEvent | undefined {
  const gaveUp = sorted.findLastIndex(isGiveUp);
  return gaveUp < 0 ? undefined : sorted.slice(gaveUp + 1).findLast((e) => e.event.event_type === 'ORDER_FILLED');
}



const clientOrderIdOf = (e: LocatedEvent): unknown => (e.event as { client_order_id?: unknown }).client_order_id;

/**
 * The intent's latest fill line: its last ORDER_FILLED, or an ORDER_RECONCILED after it that found
 * something filled (a restart that asked the exchange: its filled_qty is the order's, cumulative).
 */
function fillOf(sorted: readonly LocatedEvent[]): IntentFill | undefined {
  const fills = sorted.filter((e) => e.event.event_type === 'ORDER_FILLED' || (e.event.event_type === 'ORDER_RECONCILED' && positiveWritten(writtenNumber(e, 'filled_qty'))));
  const line = fills.at(-1);
  if (!line) return undefined;
  const order = clientOrderIdOf(line);
  const contexts = sorted.filter((e) => e.event.event_type === 'ORDER_CONTEXT');
  const context = contexts.findLast((e) => clientOrderIdOf(e) === order) ?? contexts.at(-1);
  return {
    line,
    qty: writtenNumber(line, 'filled_qty') ?? '?',
    avgPx: writtenNumber(line, 'avg_px') ?? '?',
    requested: context ? writtenNumber(context, 'qty') : undefined,
    lines: fills.filter((e) => e.event.event_type === 'ORDER_FILLED').length,
  };
}

/**
 * Whether an intent whose latest fill line is the router's or the order watcher's ORDER_FILLED has a
 * final state. A partial fill (partial true) of an order no ORDER_CANCELED closed (an IOC remainder
 * expired, the exchange or time in force canceled it) rests on the exchange still: `open`, unless a
 * later restart's reconciliation found that order closed, which then settled it (`settledBy`, that
 * ORDER_RECONCILED); one that found it still open, or could not learn its state, leaves it open.
 * Anything else (a fill of the whole quantity, a cancel after the fill) ended it: `ended`.
 */
function afterLastFill(sorted: readonly LocatedEvent[]): 'ended' | 'open' | { settledBy: LocatedEvent } {
  const at = sorted.findLastIndex((e) => e.event.event_type === 'ORDER_FILLED');
  const last = sorted[at];
  if (!last || (last.event as { partial?: unknown }).partial !== true) return 'ended';
  const order = clientOrderIdOf(last);
  if (sorted.some((e, i) => e.event.event_type === 'ORDER_CANCELED' && (i > at || clientOrderIdOf(e) === order))) return 'ended';
  const reconciled = sorted.slice(at + 1).findLast((e) => e.event.event_type === 'ORDER_RECONCILED' && clientOrderIdOf(e) === order);
  if (!reconciled) return 'open';
  const found = reconciledStatus(reconciled);
  return found === 'open' ? 'open' : found === 'filled' ? { settledBy: reconciled } : 'ended';
}

/**
 * How an intent ended: the router's verdict (VERDICTS), unless a fill came after the router gave up
 * (`lateFill`), or restart reconciliation found more. A fill it found makes the intent filled (the
 * order filled while the bot was down, or after the router gave up on it: ORDER_FAILED
 * timeout_exhausted); a failure or cancel it found is the status only of an intent the router never
 * gave a verdict (the bot was killed mid-order): the router's own failure or fill stands. A fill
 * that is only part of an order still resting on the exchange (`afterLastFill`) is no final state:
 * the intent is open, partly filled, until a full fill, a cancel or a reconciliation ends it.
 */
export function summarizeIntent(intentId: string, list: readonly LocatedEvent[]): IntentSummary {
  const sorted = [...list].sort(byTime);
  let terminal: LocatedEvent | undefined = lateFill(sorted);
  let status: IntentSummary['status'] = terminal ? 'filled' : 'open';
  for (const [type, verdict] of terminal ? [] : VERDICTS) {
    terminal = sorted.findLast((e) => e.event.event_type === type);
    if (terminal) {
      status = verdict;
      break;
    }
  }
  const reconciliation = reconciliationOf(sorted);
  if (reconciliation && reconciliation.status !== 'open' && status !== 'filled' && (reconciliation.status === 'filled' || !terminal)) {
    status = reconciliation.status;
    terminal = reconciliation.line;
  }
  if (status === 'filled' && terminal?.event.event_type === 'ORDER_FILLED') {
    const rest = afterLastFill(sorted);
    if (rest === 'open') status = 'open';
    else if (rest !== 'ended') terminal = rest.settledBy;
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
    fill: fillOf(sorted),
    reconciled: reconciliation?.latest,
  };
}

export function failureReason(s: IntentSummary): string {
  if (!s.terminal || s.status !== 'failed') return '';
  // Reconciliation found the order failed: the exchange never had it, or rejected it.
  if (settledByReconciliation(s)) return (s.terminal.event as { outcome?: unknown }).outcome === 'not_found' ? 'not_found' : 'rejected';
  const reason = (s.terminal.event as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : '?';
}

/** The terminal line's words: the router's message, or what reconciliation found and did. */
export function terminalMessage(s: IntentSummary): string {
  const line = s.terminal?.event as { message?: unknown; details?: unknown } | undefined;
  const words = settledByReconciliation(s) ? line?.details : line?.message;
  return typeof words === 'string' ? words : '?';
}

/**
 * Order lines in, per-intent summaries out, while the scan streams: an intent's lines are held only
 * until it is settled (so memory is the intents in flight, and those that settled in the last
 * ORDER_SLACK_MS of log time), then it is counted, grouped by failure reason (count + latest
 * example), handed to `onIntent` (for --json) and kept only if it is among the latest `limit`.
 *
 * An intent's outcome can take more than one line (a cancel, then a failure: see VERDICTS), and a
 * line of another intent can come between them, so an intent with an outcome is not closed when the
 * next line of another intent comes: it waits until the scan meets a line ORDER_SLACK_MS (the most
 * lines of a file are out of time order) past its latest line, or the scan ends. Until then a line
 * of its own joins it, and the verdict and the --json lines are those of the whole outcome. Intents
 * close in the order of their latest line, so --json prints them in the order they settled. An
 * intent whose order may still live at the exchange (`mayStillSettle`: no verdict yet, a partial
 * fill, a timeout the router gave up on) stays held like one in flight, so the ORDER_FILLED the
 * session's order watcher writes for it, or the ORDER_RECONCILED a restart writes, sessions later,
 * joins it.
 */
export class OrdersTally {
  private readonly pending = new Map<string, LocatedEvent[]>();
  /**
   * Pending intents with an outcome, waiting only for the rest of its lines: the time (ms) of each
   * one's latest line, in the order of those lines (an intent that gets a line moves to the end).
   */
  private readonly settling = new Map<string, number>();
  private readonly ended = new Map<string, IntentSummary | null>();
  private readonly latest: IntentSummary[] = [];
  private readonly failures = new Map<string, FailureGroup>();
  private readonly counts: Record<IntentSummary['status'], number> = { filled: 0, failed: 0, canceled: 0, open: 0 };
  private readonly sessions = new Set<string>();
  private total = 0;
  private reconciled = 0;
  private byWatcher = 0;
  private partlyFilled = 0;

  constructor(
    private readonly filter: IntentFilter,
    private readonly limit: number,
    private readonly onIntent?: (summary: IntentSummary) => void,
  ) {}

  add(e: LocatedEvent): void {
    const id = e.event.intent_id;
    if (!id || !(ORDER_TYPES as readonly string[]).includes(e.event.event_type)) return;
    this.sessions.add(e.event.session_id);
    const at = Date.parse(e.event.ts);
    if (this.ended.has(id)) {
      // A straggler more than ORDER_SLACK_MS after the intent settled: joins the shown example if it
      // is one, never reopens the intent (it was counted, and printed with --json).
      const shown = this.ended.get(id);
      if (shown) shown.events.push(e);
    } else {
      const list = this.pending.get(id) ?? [];
      list.push(e);
      this.pending.set(id, list);
      this.settling.delete(id);
      if (!mayStillSettle(list) && list.some((x) => isVerdict(x.event.event_type) || x.event.event_type === 'ORDER_RECONCILED')) {
        // A line whose ts is not a time gives nothing to wait by: the intent closes with the next line.
        this.settling.set(id, Number.isNaN(at) ? -Infinity : at);
      }
    }
    this.closeSettled(at);
  }

  end(): OrdersReport {
    for (const id of [...this.settling.keys(), ...this.pending.keys()]) if (this.pending.has(id)) this.finish(id);
    this.trim();
    for (const s of this.latest) s.events.sort(byTime);
    return { total: this.total, counts: { ...this.counts }, partlyFilled: this.partlyFilled, reconciled: this.reconciled, byWatcher: this.byWatcher, sessions: this.sessions, failures: this.failures, latest: this.latest };
  }

  /** Closes the settled intents whose latest line is more than ORDER_SLACK_MS before `now` (ms), oldest first. */
  private closeSettled(now: number): void {
    for (const [id, last] of this.settling) {
      if (!(now - last > ORDER_SLACK_MS)) break;
      this.finish(id);
    }
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
    if (settledByReconciliation(summary)) {
      this.reconciled++;
      if (summary.terminal && byOrderWatcher(summary.terminal, summary.events)) this.byWatcher++;
    }
    if (partlyFilled(summary)) this.partlyFilled++;
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
    if (this.filter.session && !summary.events.some((e) => e.event.session_id === this.filter.session)) return false;
    const { window } = this.filter;
    if (window && !summary.events.some((e) => inWindow(e.event, window))) return false;
    if (this.filter.status === 'retried') return summary.retries.length > 0;
    return !this.filter.status || summary.status === this.filter.status;
  }
}

function isLater(a: IntentSummary, b: IntentSummary): boolean {
  const at = a.terminal ?? a.events[a.events.length - 1];
  const bt = b.terminal ?? b.events[b.events.length - 1];
  return !bt || (at !== undefined && byTime(at, bt) >= 0);
}
