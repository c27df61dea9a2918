import { cell, fitLine, painter, printable, type Style } from './ansi.js';
import { Decimal } from '../domain/decimal.js';
import type { DashboardView, PnlView } from './dashboard-view.js';
import { formatAge, formatClock, formatFees, formatPnl, formatPrice, formatQty } from './format.js';

export interface RenderOptions {
  readonly width: number;
  readonly height: number;
  readonly color: boolean;
}

/** A symbol column is as wide as its longest symbol, up to this: BTC/USDT and UNITTEST/USD whole, a runaway name cut. */
export const SYMBOL_WIDTH_CAP = 20;
/** Firing alerts listed one a row; more are counted on one row. */
const MAX_FIRING_ROWS = 4;
/** Recently resolved alerts listed, the newest first. */
const MAX_RESOLVED_ROWS = 2;

type Paint = ReturnType<typeof painter>;

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

  head.push(...alertLines(view, paint));
  head.push(paint('bold', `POSITIONS (${view.positions.length})`));
  if (view.positions.length === 0) head.push(paint('dim', '  none'));
  else head.push(...positionLines(view, width, paint));
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

  // Decisions and events share what is left, events (the operator's notifications) first. Each
  // header counts the rows drawn under it: the model keeps more than a short terminal shows.
  const room = Math.max(0, height - head.length - 2);
  const eventRows = Math.min(view.events.length, Math.max(Math.ceil(room / 2), room - view.decisions.length));
  const decisionRows = Math.min(view.decisions.length, room - eventRows);
  const body: string[] = [paint('bold', `RECENT EVENTS (${eventRows})`)];
  for (const e of view.events.slice(view.events.length - eventRows)) {
    body.push(`  ${e.timestamp} ${paint('cyan', cell(printable(e.type), 14))} ${printable(e.message)}  ${paint('dim', printable(e.source))}`);
  }
  body.push(paint('bold', `LAST DECISIONS (${decisionRows})`));
  const shown = view.decisions.slice(view.decisions.length - decisionRows);
  const symbolWidth = symbolColumnWidth(shown.map((dcs) => printable(dcs.symbol)), 'SYMBOL'.length);
  for (const dcs of shown) {
    const outcome = cell(printable(dcs.outcome), 10);
    const style: Style = /fill|buy|sell|exit/.test(dcs.outcome) ? 'green' : /fail|error/.test(dcs.outcome) ? 'red' : 'yellow';
    body.push(`  ${formatClock(dcs.at)} ${printable(dcs.decisionId)} ${cell(printable(dcs.symbol), symbolWidth)} ${paint(style, outcome)} ${printable(dcs.detail ?? '')}`);
  }
  return [...head, ...body].slice(0, height).map((line) => fitLine(line, width)).join('\n');
}

/** The width a symbol column needs for `texts`, at least `min` (its title), at most SYMBOL_WIDTH_CAP. */
function symbolColumnWidth(texts: readonly string[], min: number): number {
  return Math.min(SYMBOL_WIDTH_CAP, Math.max(min, ...texts.map((t) => t.length)));
}

/**
 * The ALERTS panel: the alerts firing now (rule, subject, severity, since when, the message) and the
 * ones resolved a short while ago. One line when there is nothing to say.
 */
function alertLines(view: DashboardView, paint: Paint): string[] {
  const { firing, resolved } = view.alerts;
  if (firing.length === 0 && resolved.length === 0) return [`${paint('bold', 'ALERTS')}  ${paint('dim', 'none firing')}`];
  const lines = [`${paint('bold', 'ALERTS')}  ${firing.length === 0 ? paint('dim', 'none firing') : paint('red', `${firing.length} firing`)}`];
  for (const a of firing.slice(0, MAX_FIRING_ROWS)) {
    const severity = a.severity === 'critical' ? paint('red', 'CRITICAL') : paint('yellow', 'WARNING ');
    const age = formatAge(Math.max(0, (view.now - a.since) / 1000));
    lines.push(`  ${severity} ${printable(a.rule)} [${printable(a.subject)}]  since ${formatClock(a.since)} (${age})  ${printable(a.message)}`);
  }
  if (firing.length > MAX_FIRING_ROWS) lines.push(paint('dim', `  ... ${firing.length - MAX_FIRING_ROWS} more firing (tradetrace alerts lists them all)`));
  for (const r of resolved.slice(0, MAX_RESOLVED_ROWS)) {
    const lasted = formatAge(Math.max(0, (r.resolvedAt - r.firedAt) / 1000));
    lines.push(paint('dim', `  resolved ${printable(r.rule)} [${printable(r.subject)}]  at ${formatClock(r.resolvedAt)} after ${lasted}  ${printable(r.message)}`));
  }
  return lines;
}

interface PositionColumn {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly texts: readonly string[];
  /** Columns dropped, lowest first, when the row would not fit: the decision id is never cut for them. */
  readonly dropRank?: number;
}

/**
 * The positions table. Columns are as wide as their contents; when a row would be wider than the
 * terminal, ENTRY, then LAST, then QTY are left out, so the symbol, the unrealized PnL and the whole
 * decision id (what an operator copies into `tradetrace trace`) stay.
 */
function positionLines(view: DashboardView, width: number, paint: Paint): string[] {
  const rows = view.positions.map((p) => ({
    symbol: printable(p.symbol),
    upnl: p.unrealizedPnl ? formatPnl(p.unrealizedPnl) : '-',
    decision: printable(p.decisionId),
    qty: formatQty(p.qty),
    entry: formatPrice(p.entryPx),
    last: p.lastPx ? formatPrice(p.lastPx) : '-',
  }));
  let columns: PositionColumn[] = [
    { title: 'SYMBOL', align: 'left', texts: rows.map((r) => r.symbol) },
    { title: 'QTY', align: 'right', texts: rows.map((r) => r.qty), dropRank: 3 },
    { title: 'ENTRY', align: 'right', texts: rows.map((r) => r.entry), dropRank: 1 },
    { title: 'LAST', align: 'right', texts: rows.map((r) => r.last), dropRank: 2 },
    { title: 'uPnL', align: 'right', texts: rows.map((r) => r.upnl) },
  ];
  const widthOf = (column: PositionColumn): number =>
    column.title === 'SYMBOL' ? symbolColumnWidth(column.texts, column.title.length) : Math.max(column.title.length, ...column.texts.map((t) => t.length));
  const decisionWidth = Math.max(...rows.map((r) => r.decision.length));
  // Two spaces of indent, a space between columns, two before the decision id.
  const total = (cols: readonly PositionColumn[]): number => 2 + cols.reduce((sum, c) => sum + widthOf(c) + 1, 0) + 1 + decisionWidth;
  for (let rank = 1; rank <= 3 && total(columns) > width; rank++) columns = columns.filter((c) => c.dropRank !== rank);
  const widths = columns.map(widthOf);
  const line = (texts: readonly string[], decision: string, upnlIndex: number): string =>
    `  ${texts.map((t, i) => (i === upnlIndex ? paint(pnlStyle(t), cell(t, widths[i] ?? 0, columns[i]?.align)) : cell(t, widths[i] ?? 0, columns[i]?.align))).join(' ')}  ${decision}`;
  const upnlIndex = columns.findIndex((c) => c.title === 'uPnL');
  const lines = [paint('dim', `  ${columns.map((c, i) => cell(c.title, widths[i] ?? 0, c.align)).join(' ')}  DECISION`)];
  for (const [r, row] of rows.entries()) lines.push(line(columns.map((c) => c.texts[r] ?? ''), row.decision, upnlIndex));
  return lines;
}
