import type { IntentSummary } from '../query/orders-query.js';
import type { Style } from './style.js';
import { utc } from './time-format.js';
import { raw } from './values.js';

function failureReason(s: IntentSummary): string {
  return s.terminal && s.status === 'failed' ? raw(s.terminal, 'reason') : '';
}

/** Failures grouped by reason, most frequent first, each with its latest example. */
export function renderFailureGroups(intents: readonly IntentSummary[], style: Style): string[] {
  const groups = new Map<string, IntentSummary[]>();
  for (const s of intents.filter((i) => i.status === 'failed')) groups.set(failureReason(s), [...(groups.get(failureReason(s)) ?? []), s]);
  const out: string[] = [];
  if (groups.size === 0) return out;
  out.push(style.bold('failures by reason:'));
  for (const [reason, list] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))) {
    const last = list[list.length - 1];
    const example = last?.terminal ? `latest: ${last.intentId} (decision ${last.decisionId ?? 'none'}) at ${utc(last.terminal.event.ts)}: ${raw(last.terminal, 'message')}` : '';
    out.push(`  ${style.red(reason.padEnd(22))} ${String(list.length).padStart(4)}  ${example}`);
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

export function renderOrders(intents: readonly IntentSummary[], style: Style, limit: number): string {
  const count = (status: string) => intents.filter((i) => i.status === status).length;
  const out = [style.bold(`${intents.length} order intent${intents.length === 1 ? '' : 's'}: ${count('filled')} filled, ${count('failed')} failed, ${count('canceled')} canceled, ${count('open')} without a final state`)];
  out.push(...renderFailureGroups(intents, style));
  const shown = intents.slice(-limit);
  if (shown.length < intents.length) out.push(style.dim(`(showing the latest ${shown.length}; narrow with --symbol, --status, --since or --intent)`));
  for (const s of shown) {
    const status = s.status === 'failed' ? style.red(`FAILED ${failureReason(s)}`) : s.status === 'filled' ? style.green('FILLED') : s.status.toUpperCase();
    out.push('');
    out.push(`${style.bold(s.intentId)}  ${s.side} ${s.symbol}  ${status}  ${s.contexts.length} attempt${s.contexts.length === 1 ? '' : 's'}  decision ${s.decisionId ?? 'none'}  ${utc(s.events[0]?.event.ts ?? '')}`);
    out.push(...attemptLines(s));
  }
  return `${out.join('\n')}\n`;
}
