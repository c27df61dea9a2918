import { printable } from './ansi.js';
import type { DashboardEventView, DashboardView } from './dashboard-view.js';
import { formatAge, formatClock, formatFees, formatPnl, formatPrice, formatQty } from './format.js';
import { NO_PNL, pnlLabelled } from './render-dashboard.js';

/**
 * A plain line's time, `[23:17:37Z]`: the dashboard's clocks are UTC (the terminal header says so),
 * and a line in a log file or a CI page has no header, so the zone goes on every line.
 */
export function plainStamp(clock: string): string {
  return `[${clock}Z]`;
}

/** The one-line summary printed every few seconds when stdout is not a terminal. No escape codes. */
export function renderSummaryLine(view: DashboardView): string {
  const positions = view.positions.map((p) => `${p.symbol} ${formatQty(p.qty)}@${formatPrice(p.entryPx)}${p.unrealizedPnl ? ` uPnL ${formatPnl(p.unrealizedPnl)}` : ''}`).join(', ');
  const failures = view.failures.map((f) => `${f.reason}=${f.count}`).join(' ');
  const stalled = view.loops.filter((l) => !l.alive).map((l) => `${l.name} (${formatAge(l.lastBeatAgeS)})`);
  const last = view.decisions.at(-1);
  const parts = [
    `${plainStamp(formatClock(view.now))} bars=${view.bars}`,
    `positions=${view.positions.length}${positions ? ` (${positions})` : ''}`,
    // As the terminal's PnL lines: a part per currency, led by it unless it is the session's alone, never a sum.
    ...(view.pnl.length === 0 ? [NO_PNL] : view.pnl).map((p) => `${pnlLabelled(view, p) ? `${p.currency} ` : ''}realized=${formatPnl(p.realized)} unrealized=${formatPnl(p.unrealized)} fees=${formatFees(p.fees)}`),
    `failures=${failures || 'none'}`,
    `loops=${view.loops.length === 0 ? 'none' : stalled.length === 0 ? `${view.loops.length} ok` : `STALLED ${stalled.join(', ')}`}`,
    // The transitions are printed as lines of their own; the summary says what is firing still.
    ...(view.alerts.firing.length > 0 ? [`alerts=FIRING ${view.alerts.firing.map((a) => `${a.rule} [${a.subject}] ${a.severity}`).join(', ')}`] : []),
    ...(last ? [`last=${last.decisionId} ${last.symbol} ${last.outcome}${last.detail ? ` (${last.detail})` : ''}`] : []),
  ];
  return printable(parts.join(' | '));
}

/** One dashboard event as a plain line, with the code that raised it. */
export function renderEventLine(event: DashboardEventView): string {
  return printable(`${plainStamp(event.timestamp)} ${event.type} ${event.message} (${event.source})`);
}
