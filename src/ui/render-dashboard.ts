import { cell, fitLine, painter, printable, type Style } from './ansi.js';
import { Decimal } from '../domain/decimal.js';
import type { DashboardView, PnlView } from './dashboard-view.js';
import { formatAge, formatClock, formatFees, formatPnl, formatPrice, formatQty } from './format.js';

export interface RenderOptions {
  readonly width: number;
  readonly height: number;
  readonly color: boolean;
}

const pnlStyle = (text: string): Style => (text.startsWith('-') ? 'red' : 'green');

/** What the PnL line shows before the session, and so its currency, is known. */
export const NO_PNL: PnlView = { currency: '', realized: Decimal.ZERO, unrealized: Decimal.ZERO, fees: Decimal.ZERO };

/** A PnL line names its currency unless it is the session's and the only one: a figure in another currency never reads as the session's. */
export function pnlLabelled(view: Pick<DashboardView, 'pnl' | 'quoteCurrency'>, pnl: PnlView): boolean {
  return pnl !== NO_PNL && (pnl.currency !== view.quoteCurrency || view.pnl.length > 1);
}

/**
 * One frame of the dashboard as text: exactly the lines to show, each cut to `width`, at most
 * `height` of them. Pure: the same view and options give the same string, with escape codes only
 * when `color` is on.
 */
export function renderDashboard(view: DashboardView, options: RenderOptions): string {
  // Never wider or taller than the terminal: a line past its width wraps and a frame past its height scrolls, every frame.
  const width = Math.max(1, Math.floor(options.width));
  const height = Math.max(1, Math.floor(options.height));
  const paint = painter(options.color);
  const rule = paint('dim', '─'.repeat(width));
  const head: string[] = [];
  const title = `${paint('bold', 'tradetrace')}  ${printable(view.sessionId ?? '')}  ${printable(view.mode ?? '')}  ${formatClock(view.now)} UTC  bars ${view.bars.toLocaleString('en-US')}`;
  head.push(title, rule);

  head.push(paint('bold', `POSITIONS (${view.positions.length})`));
  if (view.positions.length === 0) head.push(paint('dim', '  none'));
  else {
    head.push(paint('dim', `  ${cell('SYMBOL', 12)} ${cell('QTY', 14, 'right')} ${cell('ENTRY', 14, 'right')} ${cell('LAST', 14, 'right')} ${cell('uPnL', 12, 'right')}  DECISION`));
    for (const p of view.positions) {
      const upnl = p.unrealizedPnl ? formatPnl(p.unrealizedPnl) : '-';
      head.push(`  ${cell(printable(p.symbol), 12)} ${cell(formatQty(p.qty), 14, 'right')} ${cell(formatPrice(p.entryPx), 14, 'right')} ${cell(p.lastPx ? formatPrice(p.lastPx) : '-', 14, 'right')} ${paint(pnlStyle(upnl), cell(upnl, 12, 'right'))}  ${printable(p.decisionId)}`);
    }
  }
  const balances = view.balances.map((b) => `${printable(b.asset)} ${formatQty(b.amount)}`).join('  ');
  head.push(`${paint('bold', 'BALANCES')}  ${balances || paint('dim', 'none')}`);
  // The session's currency alone (the usual case) reads as it always did; any other currency gets a
  // line of its own, labelled (and then the session's too), never a sum.
  for (const [i, pnl] of (view.pnl.length === 0 ? [NO_PNL] : view.pnl).entries()) {
    const realized = formatPnl(pnl.realized);
    const unrealized = formatPnl(pnl.unrealized);
    const lead = i === 0 ? paint('bold', 'PNL') : '   ';
    head.push(`${lead}  ${pnlLabelled(view, pnl) ? `${printable(pnl.currency)}  ` : ''}realized ${paint(pnlStyle(realized), realized)}  unrealized ${paint(pnlStyle(unrealized), unrealized)}  fees ${formatFees(pnl.fees)}`);
  }
  const loops = view.loops.map((l) => `${printable(l.name)} ${l.alive ? paint('green', 'ok') : paint('red', 'STALLED')} ${formatAge(l.lastBeatAgeS)}`).join('  ');
  head.push(`${paint('bold', 'LOOPS')}  ${loops || paint('dim', 'none registered')}`);
  const failures = view.failures.map((f) => `${printable(f.reason)} ${paint('red', String(f.count))}`).join('  ');
  head.push(`${paint('bold', 'ORDER FAILURES')}  ${failures || paint('dim', 'none')}`);
  head.push(rule);

  // Decisions and events share what is left, events (the operator's notifications) first.
  const room = Math.max(0, height - head.length - 2);
  const eventRows = Math.min(view.events.length, Math.max(Math.ceil(room / 2), room - view.decisions.length));
  const decisionRows = Math.min(view.decisions.length, room - eventRows);
  const body: string[] = [paint('bold', `RECENT EVENTS (${view.events.length})`)];
  for (const e of view.events.slice(view.events.length - eventRows)) {
    body.push(`  ${e.timestamp} ${paint('cyan', cell(printable(e.type), 14))} ${printable(e.message)}  ${paint('dim', printable(e.source))}`);
  }
  body.push(paint('bold', `LAST DECISIONS (${view.decisions.length})`));
  for (const dcs of view.decisions.slice(view.decisions.length - decisionRows)) {
    const outcome = cell(printable(dcs.outcome), 10);
    const style: Style = /fill|buy|sell|exit/.test(dcs.outcome) ? 'green' : /fail|error/.test(dcs.outcome) ? 'red' : 'yellow';
    body.push(`  ${formatClock(dcs.at)} ${printable(dcs.decisionId)} ${cell(printable(dcs.symbol), 10)} ${paint(style, outcome)} ${printable(dcs.detail ?? '')}`);
  }
  return [...head, ...body].slice(0, height).map((line) => fitLine(line, width)).join('\n');
}
