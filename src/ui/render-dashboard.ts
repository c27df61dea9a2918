import { cell, fitLine, painter, printable, type Style } from './ansi.js';
import { Decimal } from '../domain/decimal.js';
import type { DashboardView, DecisionView, PnlView } from './dashboard-view.js';
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
  const title = titleLine(view, width, paint);
  const middle: string[] = [];

  middle.push(...alertLines(view, paint));
  middle.push(paint('bold', `POSITIONS (${view.positions.length})`));
  if (view.positions.length === 0) middle.push(paint('dim', '  none'));
  else middle.push(...positionLines(view, width, paint));
  const balances = view.balances.map((b) => `${printable(b.asset)} ${formatQty(b.amount)}`).join('  ');
  middle.push(`${paint('bold', 'BALANCES')}  ${balances || paint('dim', 'none')}`);
  // The session's currency alone (the usual case) reads as it always did; any other currency gets a
  // line of its own, labelled (and then the session's too), never a sum.
  for (const [i, pnl] of (view.pnl.length === 0 ? [NO_PNL] : view.pnl).entries()) {
    const realized = formatPnl(pnl.realized);
    const unrealized = formatPnl(pnl.unrealized);
    const lead = i === 0 ? paint('bold', 'PNL') : '   ';
    middle.push(`${lead}  ${pnlLabelled(view, pnl) ? `${printable(pnl.currency)}  ` : ''}realized ${paint(pnlStyle(realized), realized)}  unrealized ${paint(pnlStyle(unrealized), unrealized)}  fees ${formatFees(pnl.fees)}`);
  }
  const loops = view.loops.map((l) => `${printable(l.name)} ${l.alive ? paint('green', 'ok') : paint('red', 'STALLED')} ${formatAge(l.lastBeatAgeS)}`).join('  ');
  middle.push(`${paint('bold', 'LOOPS')}  ${loops || paint('dim', 'none registered')}`);
  const failures = view.failures.map((f) => `${printable(f.reason)} ${paint('red', String(f.count))}`).join('  ');
  middle.push(`${paint('bold', 'ORDER FAILURES')}  ${failures || paint('dim', 'none')}`);

  // The rules are only decoration: on a terminal too short for both headers and the newest event
  // and decision under them, their two rows go to those instead.
  const needed = 2 + Math.min(1, view.events.length) + Math.min(1, view.decisions.length);
  const ruled = [title, rule, ...middle, rule];
  const head = height - ruled.length >= needed ? ruled : [title, ...middle];
  const rows = bodyRows(view, Math.max(0, height - head.length));
  const body: string[] = [];
  if (rows.eventsHeader) body.push(paint('bold', sectionTitle('RECENT EVENTS', view.eventCount, view.events.length, rows.events)));
  for (const e of view.events.slice(view.events.length - rows.events)) {
    body.push(`  ${e.timestamp} ${paint('cyan', cell(printable(e.type), 14))} ${printable(e.message)}  ${paint('dim', printable(e.source))}`);
  }
  if (rows.decisionsHeader) body.push(paint('bold', sectionTitle('LAST DECISIONS', view.decisionCount, view.decisions.length, rows.decisions)));
  body.push(...decisionLines(view.decisions.slice(view.decisions.length - rows.decisions), width, paint));
  return [...head, ...body].slice(0, height).map((line) => fitLine(line, width)).join('\n');
}

/** Which parts of the events and decisions sections fit in `room` rows. */
interface BodyRows {
  readonly eventsHeader: boolean;
  readonly events: number;
  readonly decisionsHeader: boolean;
  readonly decisions: number;
}

/**
 * Shares `room` rows between the events and the decisions: first the events header, the newest
 * event (the operator's notifications come first), the decisions header and the newest decision;
 * what is left goes half to each, a section that needs less leaving the rest to the other.
 */
function bodyRows(view: Pick<DashboardView, 'events' | 'decisions'>, room: number): BodyRows {
  let free = room;
  const take = (wanted: number): number => {
    const taken = Math.max(0, Math.min(wanted, free));
    free -= taken;
    return taken;
  };
  const eventsHeader = take(1) === 1;
  let events = take(Math.min(1, view.events.length));
  const decisionsHeader = take(1) === 1;
  let decisions = decisionsHeader ? take(Math.min(1, view.decisions.length)) : 0;
  const moreDecisions = view.decisions.length - decisions;
  events += take(Math.min(view.events.length - events, Math.max(Math.ceil(free / 2), free - moreDecisions)));
  if (decisionsHeader) decisions += take(moreDecisions);
  return { eventsHeader, events, decisionsHeader, decisions };
}

/**
 * A section's header. Its count is of all there were, never of the rows drawn: 'RECENT EVENTS (0)'
 * on a short terminal read as nothing having happened while six events had.
 */
function sectionTitle(name: string, count: number, kept: number, shown: number): string {
  const total = count.toLocaleString('en-US');
  if (shown === count) return `${name} (${total})`;
  if (shown === 0) return kept > 0 ? `${name} (${total}, none shown: terminal too short)` : `${name} (${total})`;
  return `${name} (${total}, newest ${shown} shown)`;
}

interface TitlePart {
  readonly text: string;
  readonly plain: string;
  /** Parts left out, lowest first, when the title would not fit: the bar count, the sign it is working, is never. */
  readonly dropRank?: number;
}

/**
 * The title: what the session is and that it is working. On a narrow terminal the name of the
 * program goes first, then the session id, the mode and the clock; the bar count stays (at 60
 * columns it was cut to 'b…').
 */
function titleLine(view: DashboardView, width: number, paint: Paint): string {
  const clock = `${formatClock(view.now)} UTC`;
  const bars = `bars ${view.bars.toLocaleString('en-US')}`;
  let parts: TitlePart[] = [
    { text: paint('bold', 'tradetrace'), plain: 'tradetrace', dropRank: 1 },
    { text: printable(view.sessionId ?? ''), plain: printable(view.sessionId ?? ''), dropRank: 2 },
    { text: printable(view.mode ?? ''), plain: printable(view.mode ?? ''), dropRank: 3 },
    { text: clock, plain: clock, dropRank: 4 },
    { text: bars, plain: bars },
  ].filter((p) => p.plain !== '');
  const plainWidth = (ps: readonly TitlePart[]): number => ps.reduce((sum, p) => sum + p.plain.length, 0) + 2 * (ps.length - 1);
  for (let rank = 1; rank <= 4 && plainWidth(parts) > width; rank++) parts = parts.filter((p) => p.dropRank !== rank);
  return parts.map((p) => p.text).join('  ');
}

/**
 * The decisions, each at its bar's time, labelled so ('bar 23:06'): it is market time, not the
 * wall clock of the title and the events. When the time and the whole decision id do not both
 * fit, the time goes: the id (what an operator copies into `tradetrace trace`, and which holds the
 * bar's time too) is never cut for it.
 */
function decisionLines(shown: readonly DecisionView[], width: number, paint: Paint): string[] {
  const wholeMinutes = shown.every((dcs) => dcs.at % 60_000 === 0);
  const barClock = (ms: number): string => (wholeMinutes ? formatClock(ms).slice(0, 5) : formatClock(ms));
  const idWidth = Math.max(0, ...shown.map((dcs) => printable(dcs.decisionId).length));
  const withTime = 2 + `bar ${barClock(0)} `.length + idWidth <= width;
  const symbolWidth = symbolColumnWidth(shown.map((dcs) => printable(dcs.symbol)), 'SYMBOL'.length);
  return shown.map((dcs) => {
    const outcome = cell(printable(dcs.outcome), 10);
    const style: Style = /fill|buy|sell|exit/.test(dcs.outcome) ? 'green' : /fail|error/.test(dcs.outcome) ? 'red' : 'yellow';
    const time = withTime ? `${paint('dim', 'bar')} ${barClock(dcs.at)} ` : '';
    return `  ${time}${printable(dcs.decisionId)} ${cell(printable(dcs.symbol), symbolWidth)} ${paint(style, outcome)} ${printable(dcs.detail ?? '')}`;
  });
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
 * decision id (what an operator copies into `tradetrace trace`) stay. When even those do not fit on
 * one line (30 columns cut it to dec_2026112…), each id goes whole on a line of its own under its
 * row, and the row keeps the columns that fit beside the symbol without it.
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
  const allColumns: PositionColumn[] = [
    { title: 'SYMBOL', align: 'left', texts: rows.map((r) => r.symbol) },
    { title: 'QTY', align: 'right', texts: rows.map((r) => r.qty), dropRank: 3 },
    { title: 'ENTRY', align: 'right', texts: rows.map((r) => r.entry), dropRank: 1 },
    { title: 'LAST', align: 'right', texts: rows.map((r) => r.last), dropRank: 2 },
    { title: 'uPnL', align: 'right', texts: rows.map((r) => r.upnl) },
  ];
  const widthOf = (column: PositionColumn): number =>
    column.title === 'SYMBOL' ? symbolColumnWidth(column.texts, column.title.length) : Math.max(column.title.length, ...column.texts.map((t) => t.length));
  const decisionWidth = Math.max(...rows.map((r) => r.decision.length));
  // Two spaces of indent, a space between columns; two more before the decision id when it shares the row.
  const rowWidth = (cols: readonly PositionColumn[]): number => 2 + cols.reduce((sum, c) => sum + widthOf(c) + 1, 0) - 1;
  const fitting = (idWidth: number): PositionColumn[] => {
    let columns = allColumns;
    for (let rank = 1; rank <= 3 && rowWidth(columns) + idWidth > width; rank++) columns = columns.filter((c) => c.dropRank !== rank);
    return columns;
  };
  const sameRow = fitting(2 + decisionWidth);
  const idOwnLine = rowWidth(sameRow) + 2 + decisionWidth > width;
  const columns = idOwnLine ? fitting(0) : sameRow;
  const widths = columns.map(widthOf);
  const upnlIndex = columns.findIndex((c) => c.title === 'uPnL');
  const cells = (texts: readonly string[]): string =>
    `  ${texts.map((t, i) => (i === upnlIndex ? paint(pnlStyle(t), cell(t, widths[i] ?? 0, columns[i]?.align)) : cell(t, widths[i] ?? 0, columns[i]?.align))).join(' ')}`;
  const titles = `  ${columns.map((c, i) => cell(c.title, widths[i] ?? 0, c.align)).join(' ')}`;
  const lines = [paint('dim', idOwnLine ? titles : `${titles}  DECISION`)];
  for (const [r, row] of rows.entries()) {
    const texts = columns.map((c) => c.texts[r] ?? '');
    if (idOwnLine) lines.push(cells(texts), `    ${row.decision}`);
    else lines.push(`${cells(texts)}  ${row.decision}`);
  }
  return lines;
}
