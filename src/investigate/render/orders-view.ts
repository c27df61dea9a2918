import { failureReason, settledByReconciliation, terminalMessage, type IntentSummary, type OrdersReport } from '../query/orders-tally.js';
import type { Style } from './style.js';
import { utc } from './time-format.js';
import { raw } from './values.js';

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

function attemptLines(s: IntentSummary): string[] {
  const out: string[] = [];
  for (const ctx of s.contexts) {
    const n = raw(ctx, 'attempt');
    out.push(`    attempt ${n}  ${utc(ctx.event.ts)}  qty ${raw(ctx, 'qty')} · limit_px ${raw(ctx, 'limit_px')} · notional ${raw(ctx, 'notional')} · quote_budget ${raw(ctx, 'quote_budget')} · tif ${raw(ctx, 'tif')} · slippage_bps ${raw(ctx, 'slippage_bps')} · min_notional ${raw(ctx, 'min_notional')} · max_retries ${raw(ctx, 'max_retries')} · retry_backoff_ms ${raw(ctx, 'retry_backoff_ms')}`);
    for (const e of s.events.filter((x) => x.event.event_type !== 'ORDER_CONTEXT' && raw(x, 'attempt') === n)) {
      const what =
        e.event.event_type === 'ORDER_RETRY' ? `retry: ${raw(e, 'reason')}: ${raw(e, 'message')} (waited ${raw(e, 'backoff_ms')}ms)`
        : e.event.event_type === 'ORDER_SUBMITTED' ? `submitted: exchange order ${raw(e, 'exchange_order_id')}, ${raw(e, 'status')}`
        : e.event.event_type === 'ORDER_FILLED' ? `FILLED ${raw(e, 'filled_qty')} at ${raw(e, 'avg_px')}, fee ${raw(e, 'fee')} ${raw(e, 'fee_currency')}`
        : e.event.event_type === 'ORDER_FAILED' ? `FAILED: ${raw(e, 'reason')}: ${raw(e, 'message')}`
        : `${e.event.event_type}: ${raw(e, 'reason')}`;
      out.push(`      -> ${what}`);
    }
  }
  return out;
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
  const how = settledByReconciliation(s) ? `settled by restart reconciliation in ${r.event.session_id}${from}` : `reconciled on restart in ${r.event.session_id}${from}`;
  const exchange = r.event.event_type === 'ORDER_RECONCILED' && r.event.exchange_status !== undefined ? `exchange ${r.event.exchange_status}, ` : '';
  const found = `${raw(r, 'outcome')}: ${exchange}filled ${raw(r, 'filled_qty')}, booked ${raw(r, 'booked_qty')}, status ${raw(r, 'previous_status')} -> ${raw(r, 'status')}`;
  return `    ${style.bold(how)} at ${utc(r.event.ts)}: ${found}: ${raw(r, 'details')}`;
}

export function renderOrders(report: OrdersReport, style: Style): string {
  const { counts, total } = report;
  const reconciled = report.reconciled > 0 ? ` (${report.reconciled} settled by restart reconciliation)` : '';
  const out = [style.bold(`${total} order intent${total === 1 ? '' : 's'}: ${counts.filled} filled, ${counts.failed} failed, ${counts.canceled} canceled, ${counts.open} without a final state${reconciled}`)];
  out.push(...renderFailureGroups(report, style));
  const shown = report.latest;
  if (shown.length < total) out.push(style.dim(`(showing the latest ${shown.length}; narrow with --symbol, --status, --since or --intent)`));
  for (const s of shown) {
    const status = s.status === 'failed' ? style.red(`FAILED ${failureReason(s)}`) : s.status === 'filled' ? style.green('FILLED') : s.status.toUpperCase();
    out.push('');
    out.push(`${style.bold(s.intentId)}  ${s.side} ${s.symbol}  ${status}  ${s.contexts.length} attempt${s.contexts.length === 1 ? '' : 's'}  decision ${s.decisionId ?? 'none'}  ${utc(s.events[0]?.event.ts ?? '')}`);
    out.push(...attemptLines(s));
    const reconciledNote = reconciledLine(s, style);
    if (reconciledNote) out.push(reconciledNote);
  }
  return `${out.join('\n')}\n`;
}
