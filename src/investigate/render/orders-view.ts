import { byOrderWatcher, failureReason, partlyFilled, settledByReconciliation, terminalMessage, type IntentSummary, type OrdersReport } from '../query/orders-tally.js';
import type { LocatedEvent } from '../query/find-events.js';
import type { Style } from './style.js';
import { utc } from './time-format.js';
import { field, raw } from './values.js';
import { Decimal } from '../../domain/decimal.js';
import { basename } from 'node:path';

/** Failures grouped by reason, most frequent first, each with its latest example. */
export function renderFailureGroups(report: OrdersReport, style: Style): string[] {
  const out: string[] = [];
  if (report.failures.size === 0) return out;
  out.push(style.bold('failures by reason:'));
  for (const [reason, group] of [...report.failures.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))) {
    const last = group.latest;
    const example = last.terminal ? `latest: ${last.intentId} (decision ${last.decisionId ?? 'none'}) at ${utc(last.terminal.event.ts)}: ${terminalMessage(last)}` : '';
    out.push(`  ${style.red(reason.padEnd(22))} ${String(group.count).padStart(4)}  ${example}`);
  }
  return out;
}

/** An attempt's ORDER_FILLED lines shown one by one up to this many; more, and the first and last (with the count between). */
const SHOWN_FILL_LINES = 3;

/** Lines written only after an attempt's ORDER_CONTEXT (the router writes it before sending); a refusal before sending is an ORDER_FAILED alone. */
const AFTER_CONTEXT = new Set(['ORDER_SUBMITTED', 'ORDER_FILLED', 'ORDER_CANCELED', 'ORDER_RETRY']);

/**
 * Attempts whose lines are there but whose ORDER_CONTEXT is not: unreadable (a damaged line, told
 * on stderr with its file and line) or not in these logs. Counted as attempts all the same: an
 * intent that filled on attempt 1 read `FILLED 0 attempts` when its context line was damaged.
 */
function attemptsWithoutContext(s: IntentSummary): string[] {
  const known = new Set(s.contexts.map((c) => raw(c, 'attempt')));
  const missing = new Set(s.events.filter((e) => AFTER_CONTEXT.has(e.event.event_type) && typeof field(e, 'attempt') === 'number').map((e) => raw(e, 'attempt')));
  return [...missing].filter((n) => !known.has(n)).sort((a, b) => Number(a) - Number(b));
}

function attemptLines(s: IntentSummary): string[] {
  const out: string[] = [];
  const attempts: { n: string; head: string; at: number }[] = s.contexts.map((ctx) => ({
    n: raw(ctx, 'attempt'),
    at: Number(raw(ctx, 'attempt')),
    head: `    attempt ${raw(ctx, 'attempt')}  ${utc(ctx.event.ts)}  qty ${raw(ctx, 'qty')} · limit_px ${raw(ctx, 'limit_px')} · notional ${raw(ctx, 'notional')} · quote_budget ${raw(ctx, 'quote_budget')} · tif ${raw(ctx, 'tif')} · slippage_bps ${raw(ctx, 'slippage_bps')} · min_notional ${raw(ctx, 'min_notional')} · max_retries ${raw(ctx, 'max_retries')} · retry_backoff_ms ${raw(ctx, 'retry_backoff_ms')}`,
  }));
  for (const n of attemptsWithoutContext(s)) {
    attempts.push({ n, at: Number(n), head: `    attempt ${n}  no ORDER_CONTEXT line (unreadable, or not among the lines read: see stderr); its other lines:` });
  }
  attempts.sort((a, b) => a.at - b.at);
  for (const { n, head } of attempts) {
    out.push(head);
    const lines = s.events.filter((x) => x.event.event_type !== 'ORDER_CONTEXT' && raw(x, 'attempt') === n);
    // A resting GTC order gets one ORDER_FILLED per look-up that found more filled (hundreds of them):
    // each carries the order's totals so far, so the first and the last tell the story.
    const fills = lines.filter((x) => x.event.event_type === 'ORDER_FILLED');
    const between = fills.length > SHOWN_FILL_LINES ? new Set<LocatedEvent>(fills.slice(1, -1)) : new Set<LocatedEvent>();
    for (const e of lines) {
      if (between.has(e)) {
        if (e === fills[1]) out.push(`      -> ... ${between.size} more fills, each with the order's totals so far ...`);
        continue;
      }
      const what =
        e.event.event_type === 'ORDER_RETRY' ? `retry: ${raw(e, 'reason')}: ${raw(e, 'message')} (backoff ${raw(e, 'backoff_ms')}ms)`
        : e.event.event_type === 'ORDER_SUBMITTED' ? `submitted: exchange order ${raw(e, 'exchange_order_id')}, ${raw(e, 'status')}`
        : e.event.event_type === 'ORDER_FILLED' ? `FILLED ${raw(e, 'filled_qty')} at ${raw(e, 'avg_px')}, fee ${raw(e, 'fee')} ${raw(e, 'fee_currency')}${field(e, 'partial') === true ? ' (partial)' : ''}`
        : e.event.event_type === 'ORDER_FAILED' ? `FAILED: ${raw(e, 'reason')}: ${raw(e, 'message')}`
        : `${e.event.event_type}: ${raw(e, 'reason')}`;
      out.push(`      -> ${what}`);
    }
  }
  return out;
}

/** a < b, as decimals (as numbers when either is not one). */
export function below(a: string, b: string): boolean {
  try {
    return Decimal.parse(a).lt(Decimal.parse(b));
  } catch {
    return Number(a) < Number(b);
  }
}

/** `of <requested>` when the attempt's quantity is known. */
function ofRequested(s: IntentSummary): string {
  return s.fill?.requested !== undefined ? ` of ${s.fill.requested}` : '';
}

/** The intent's status word: a partly filled order that still rests on the exchange says how much filled so far. */
function statusWord(s: IntentSummary, style: Style): string {
  if (s.fill && partlyFilled(s)) return style.yellow(`PARTLY FILLED ${s.fill.qty}${ofRequested(s)} so far (order still open)`);
  return s.status === 'failed' ? style.red(`FAILED ${failureReason(s)}`) : s.status === 'filled' ? style.green('FILLED') : s.status.toUpperCase();
}

/**
 * What a filled intent bought or sold in all, when that takes more than its one fill line: its order
 * filled over several look-ups, or in part before the rest was canceled. The quantity and average
 * price are its latest fill line's (cumulative), never the first's.
 */
function filledLine(s: IntentSummary): string | null {
  const fill = s.fill;
  if (s.status !== 'filled' || !fill) return null;
  const short = fill.requested !== undefined && below(fill.qty, fill.requested);
  if (fill.lines <= 1 && !short) return null;
  const over = fill.lines > 1 ? ` (the order's totals on the last of its ${fill.lines} fill lines)` : '';
  return `    filled ${fill.qty}${short ? ofRequested(s) : ''} at ${fill.avgPx} on average${over}`;
}

/**
 * The intent's ORDER_RECONCILED, in words: which later session asked the exchange, what it found and
 * did, and whether that settled the intent (its status) or only confirmed the router's verdict.
 */
function reconciledLine(s: IntentSummary, style: Style): string | null {
  const r = s.reconciled;
  if (!r) return null;
  const placed = s.events.find((e) => e.event.event_type !== 'ORDER_RECONCILED')?.event.session_id;
  const from = placed && placed !== r.event.session_id ? ` (placed in ${placed})` : '';
  // The order watcher's look-up (the exchange never had the order) settles as a reconciliation does,
  // but says who asked: the restart's own reconciliation of it may be the line before (unknown).
  const who = byOrderWatcher(r, s.events) ? 'the order watcher' : 'restart reconciliation';
  const how = settledByReconciliation(s) ? `settled by ${who} in ${r.event.session_id}${from}` : `${who === 'the order watcher' ? 'looked up by the order watcher' : 'reconciled on restart'} in ${r.event.session_id}${from}`;
  const exchange = r.event.event_type === 'ORDER_RECONCILED' && r.event.exchange_status !== undefined ? `exchange ${r.event.exchange_status}, ` : '';
  const found = `${raw(r, 'outcome')}: ${exchange}filled ${raw(r, 'filled_qty')}, booked ${raw(r, 'booked_qty')}, status ${raw(r, 'previous_status')} -> ${raw(r, 'status')}`;
  return `    ${style.bold(how)} at ${utc(r.event.ts)}: ${found}: ${raw(r, 'details')}`;
}

export function renderOrders(report: OrdersReport, style: Style): string {
  const { counts, total } = report;
  const watcher = report.byWatcher > 0 ? `, ${report.byWatcher} of them by its order watcher` : '';
  const reconciled = report.reconciled > 0 ? ` (${report.reconciled} settled by restart reconciliation${watcher})` : '';
  const partly = report.partlyFilled > 0 ? `, ${report.partlyFilled} of them partly filled (order still open)` : '';
  const out = [style.bold(`${total} order intent${total === 1 ? '' : 's'}: ${counts.filled} filled, ${counts.failed} failed, ${counts.canceled} canceled, ${counts.open} without a final state${partly}${reconciled}`)];
  out.push(...renderFailureGroups(report, style));
  const shown = report.latest;
  if (shown.length < total) out.push(style.dim(`(showing the latest ${shown.length}; narrow with --symbol, --status, --since or --intent)`));
  for (const s of shown) {
    out.push('');
    const missing = attemptsWithoutContext(s).length;
    const attempts = s.contexts.length + missing;
    const missingNote = missing > 0 ? style.yellow(` (${missing} without its ORDER_CONTEXT line)`) : '';
    const damaged = report.damaged?.get(s.intentId) ?? [];
    out.push(`${style.bold(s.intentId)}  ${s.side} ${s.symbol}  ${statusWord(s, style)}  ${attempts} attempt${attempts === 1 ? '' : 's'}${missingNote}  decision ${s.decisionId ?? 'none'}  ${utc(s.events[0]?.event.ts ?? '')}`);
    // Its lines the query skipped as unreadable: the intent is told from the rest, and says so.
    if (damaged.length > 0) out.push(style.yellow(`    MISSING LINES: ${damaged.length} line${damaged.length === 1 ? '' : 's'} of this intent could not be read: ${damaged.map((d) => `${basename(d.path)}:${d.line}`).join(', ')}`));
    out.push(...attemptLines(s));
    const filled = filledLine(s);
    if (filled) out.push(filled);
    const reconciledNote = reconciledLine(s, style);
    if (reconciledNote) out.push(reconciledNote);
  }
  return `${out.join('\n')}\n`;
}
