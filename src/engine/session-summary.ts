import { Decimal } from '../domain/decimal.js';
import { dataDirArg, shellWord } from '../domain/shell-word.js';
import type { ExitRefusal } from '../recorder/events/order-events.js';
import { isoTime } from '../market-data/index.js';
import type { LogFile } from '../recorder/log-files.js';
import { unsplitRecord, unsplitTotals, type UnsplitTotal } from '../store/unsplit-pnl.js';
import { minuteText } from './ended-feeds.js';
import type { PaperRunResult, PaperSession } from './paper-session.js';
import type { Unrealized } from './portfolio.js';

/** What a paper session did, for SESSION_END's summary and the text printed at the end. */
export interface PaperSummary {
  /** JSON-safe: decimals as text. Written in SESSION_END. */
  readonly record: Record<string, unknown>;
  readonly result: PaperRunResult;
  /** The session's quote currency (trading.quote_currency): realized, totalRealized, unrealized and fees are in it, and only its. */
  readonly quote: string;
  readonly realized: Decimal;
  readonly totalRealized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
  /**
   * Every other currency this data directory holds realized PnL or fees in (markets an earlier
   * session traded, or their orders reconciled at this start), each on its own: never added to `quote`'s.
   */
  readonly otherCurrencies: readonly CurrencyPnl[];
  /** PnL booked before it was kept per currency on days several currencies shared: in no currency's figures above. */
  readonly unsplit: readonly UnsplitTotal[];
  readonly traceDecision: string | undefined;
  readonly logFiles: readonly string[];
  /** The bars came from candle files (not the synthetic feed): a fresh --data-dir replays them again. */
  readonly replay: boolean;
}

/** Realized PnL and fees in one currency. */
export interface CurrencyPnl {
  readonly currency: string;
  /** Booked this session, reconciled fills included. */
  readonly session: Decimal;
  /** Of `session`, what restart reconciliation booked at the start. */
  readonly reconciled: Decimal;
  /** Over the data directory's life. */
  readonly total: Decimal;
  readonly fees: Decimal;
}

function currencyPnl(session: PaperSession, currency: string): CurrencyPnl {
  const { store } = session;
  return {
    currency, session: session.sessionRealizedPnl(currency), reconciled: session.reconcile.realizedPnl.get(currency) ?? Decimal.ZERO,
    total: store.realizedPnl(currency), fees: store.feesPaid(currency),
  };
}

function pnlRecord(pnl: CurrencyPnl): Record<string, string> {
  return { realized_pnl: pnl.session.toString(), realized_pnl_reconciled: pnl.reconciled.toString(), realized_pnl_total: pnl.total.toString(), fees_total: pnl.fees.toString() };
}

function counts(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1]));
}

/**
 * The log files a summary names: the ones being written, then how many rotated ones lie beside them.
 * A long-lived data directory holds thousands of rotated files; listing each made the summary
 * thousands of lines long.
 */
export function logFilesShown(files: readonly LogFile[], logsDir: string): string[] {
  const rotated = files.filter((f) => !f.current).length;
  const current = files.filter((f) => f.current).map((f) => f.path);
  return rotated === 0 ? current : [...current, `+ ${rotated} rotated file${rotated === 1 ? '' : 's'} in ${logsDir}`];
}

export function paperSummary(session: PaperSession, result: PaperRunResult, logFiles: readonly string[]): PaperSummary {
  const { stats, portfolio } = session;
  const quote = session.options.config.trading.quote_currency;
  const view = portfolio.view(quote);
  const own = currencyPnl(session, quote);
  const others = [...new Set([...view.realizedPnl.keys(), ...view.feesPaid.keys()])].filter((c) => c !== quote).map((c) => currencyPnl(session, c));
  const unsplit = unsplitTotals(session.store.unsplitPnl());
  const traceDecision = stats.interestingDecision();
  const decisions = Object.values(stats.decisions).reduce((a, b) => a + b, 0);
  const traded = new Set(session.feed.symbols);
  return {
    result, quote, realized: own.session, totalRealized: own.total, unrealized: view.unrealizedPnl, fees: own.fees, otherCurrencies: others, unsplit, traceDecision, logFiles,
    replay: session.options.feed.kind === 'replay',
    record: {
      bars: stats.bars, warmup_bars: session.engine.warmedBars, decisions, outcomes: { ...stats.decisions }, blocked_by: counts(stats.blockedBy),
      intents: stats.intents, buys_filled: stats.buys, sells_filled: stats.sells, filled_late: { buys: stats.filledLate.buys, failed_orders: stats.filledLate.failedOrders }, failures: counts(stats.failures),
      exits_blocked: stats.exitsBlocked, exits_blocked_by: counts(stats.exitsBlockedBy),
      // The PnL fields are the session's quote currency's, as they always were; every currency's, apart, in pnl_by_currency.
      ...pnlRecord(own), unrealized_pnl: view.unrealizedPnl.toString(), ...unrealizedBasis(view.unrealized),
      quote_currency: quote, pnl_by_currency: Object.fromEntries([own, ...others].map((p) => [p.currency, pnlRecord(p)])),
      ...(unsplit.length > 0 ? { pnl_unsplit: unsplit.map(unsplitRecord) } : {}),
      // A position in a symbol the session did not trade got no bar, so no exit rule ran on it: the
      // start said so (a LOG warn), and the summary, read after, says it again beside the position.
      // So for one whose bars ended while the others went on (warned as they stopped): no exit ran on it since.
      open_positions: view.positions.map((p) => ({
        symbol: p.symbol, qty: p.qty.toString(), entry_px: p.entryPx.toString(), decision_id: p.decisionId, ...blockedNow(stats.exitBlockedNow.get(p.symbol)),
        ...(traded.has(p.symbol) ? {} : { not_traded: true }),
        ...barsEnded(session.engine.endedFeeds.endedAt(p.symbol)),
      })),
      reconciled: { checked: session.reconcile.checked, ...session.reconcile.outcomes },
      ...(traceDecision ? { trace_decision: traceDecision } : {}),
      // A string, as before SESSION_END gained error_code and message: readers of the summary keep working.
      ...(result.error ? { error: result.error.message } : {}),
    },
  };
}

/**
 * What unrealized_pnl stands on beside this session's prices: positions priced at an earlier
 * session's last close (`unrealized_earlier_prices`), and positions no price is known of, not in it
 * (`unrealized_unknown`). Both absent when every position got a price this session.
 */
function unrealizedBasis(unrealized: Unrealized): Record<string, unknown> {
  return {
    ...(unrealized.earlier.length === 0 ? {} : { unrealized_earlier_prices: Object.fromEntries(unrealized.earlier.map((e) => [e.symbol, { price: e.price.toString(), bar_close: isoTime(e.close) }])) }),
    ...(unrealized.unknown.length === 0 ? {} : { unrealized_unknown: [...unrealized.unknown] }),
  };
}

function barsEnded(lastOpen: number | undefined): { bars_ended?: string } {
  return lastOpen === undefined ? {} : { bars_ended: isoTime(lastOpen) };
}

function blockedNow(refusedBy: ExitRefusal | undefined): { exit_blocked: boolean; exit_blocked_by?: ExitRefusal } {
  return refusedBy === undefined ? { exit_blocked: false } : { exit_blocked: true, exit_blocked_by: refusedBy };
}

/** What held an exit back, in the words of the summary (EXIT_BLOCKED's refused_by). */
const HELD_BECAUSE: Readonly<Record<ExitRefusal, string>> = {
  pre_check: 'worth less than the minimum order value, no sell sent',
  router: 'the sell was refused (its ORDER_FAILED says why)',
  unsettled_order: 'an earlier order on the symbol may still fill, no second sell sent',
};

/** A position in a symbol the session did not trade, in the words of the summary. */
const NOT_TRADED = 'not traded this session: no exit rule runs on it';

/** A position whose symbol's bars ended (its last bar's open time, ISO) while the others' went on. */
function barsEndedText(lastOpen: string): string {
  const at = Date.parse(lastOpen);
  return `its bars ended at ${Number.isNaN(at) ? lastOpen : minuteText(at)}: no exit rule ran on it after that`;
}

const signed = (d: Decimal): string => `${d.isNegative() ? '' : '+'}${d.toString()}`;

function line(label: string, value: string): string {
  return `  ${label.padEnd(13)}${value}\n`;
}

/**
 * The end-of-session text: counts, PnL, log files, and a ready-to-run `tradetrace trace` command.
 * That command always names the data directory (unlike the queries' hints): it is read after the
 * session, often from another directory or shell than the one that ran it.
 */
export function formatPaperSummary(sessionId: string, summary: PaperSummary, dataDir: string): string {
  const r = summary.record;
  const outcomes = r['outcomes'] as Record<string, number>;
  const failures = r['failures'] as Record<string, number>;
  const blocked = r['blocked_by'] as Record<string, number>;
  const positions = r['open_positions'] as { symbol: string; qty: string; entry_px: string; decision_id: string; exit_blocked_by?: ExitRefusal; not_traded?: boolean; bars_ended?: string }[];
  const late = r['filled_late'] as { buys: number; failed_orders: number };
  let out = `\npaper session ${sessionId} ended: ${summary.result.reason} (exit ${summary.result.exitCode})\n`;
  out += line('bars', `${String(r['bars'])}${warmNote(r, summary.result.reason === 'data_end' && summary.replay)}`);
  // A decision ends `failed` when the router gives up; the exchange may fill its order later all the same.
  const lateBuys = late.buys > 0 ? ` (${late.buys} of them filled late: the exchange filled the order after the decision ended)` : '';
  out += line('decisions', `${String(r['decisions'])}: ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}${k === 'failed' ? lateBuys : ''}`).join(', ')}`);
  if (Object.keys(blocked).length > 0) out += line('blocked by', Object.entries(blocked).map(([k, v]) => `${k} ${v}`).join(', '));
  // Orders, not positions: one position's exit can take several sells (a partial fill, a retry).
  const orders = (n: unknown, side: string): string => `${String(n)} ${side} order${n === 1 ? '' : 's'}`;
  out += line('orders', `${String(r['intents'])} intent${r['intents'] === 1 ? '' : 's'}; filled: ${orders(r['buys_filled'], 'buy')}, ${orders(r['sells_filled'], 'sell')}`);
  const filledLater = late.failed_orders > 0 ? `; ${late.failed_orders} of these orders were found filled later (counted in fills, and filled by tradetrace orders)` : '';
  out += line('failures', Object.keys(failures).length === 0 ? 'none' : `${Object.entries(failures).map(([k, v]) => `${k} ${v}`).join(', ')}${filledLater}`);
  const exitsBlocked = Number(r['exits_blocked']);
  if (exitsBlocked > 0) {
    const by = Object.entries(r['exits_blocked_by'] as Partial<Record<ExitRefusal, number>>).map(([k, v]) => `${k} ${v}: ${HELD_BECAUSE[k as ExitRefusal]}`);
    out += line('exit blocked', `${exitsBlocked} time${exitsBlocked === 1 ? '' : 's'} an exit rule fired and the position was held (EXIT_BLOCKED): ${by.join('; ')}`);
  }
  out += line('PnL', `realized ${signed(summary.realized)} ${summary.quote} this session${reconciledNote(r)} (total ${signed(summary.totalRealized)}), ${unrealizedText(r, summary.unrealized, summary.quote)}, fees paid ${summary.fees.toString()} in total (on this data directory)`);
  for (const other of summary.otherCurrencies) out += line('', otherCurrencyText(other, summary.quote));
  for (const mixed of summary.unsplit) out += line('', unsplitText(mixed));
  out += line('positions', positions.length === 0 ? 'none open' : positions.map((p) => `${p.symbol} ${p.qty} @ ${p.entry_px} (${p.decision_id})${p.not_traded === true ? `, ${NOT_TRADED}` : ''}${p.bars_ended === undefined ? '' : `, ${barsEndedText(p.bars_ended)}`}${p.exit_blocked_by ? `, exit blocked: ${HELD_BECAUSE[p.exit_blocked_by]}` : ''}`).join('; '));
  // A session writes its logs from its start: none at its end means logs/ was removed while it
  // ran (the sink does not make it again), and any trace command would end in 'no log files'.
  const logsGone = summary.logFiles.length === 0;
  out += line('logs', logsGone ? `none left: ${dataDir}/logs was removed while the session ran, so no trace command can read this session` : summary.logFiles.join('\n' + ' '.repeat(15)));
  if (logsGone) {
    // The logs line says why no trace command follows.
  } else if (summary.traceDecision) {
    out += `\ntrace a decision of this session:\n  tradetrace trace ${shellWord(summary.traceDecision)}${dataDirArg(dataDir)}\n`;
  } else if (Number(r['decisions']) > 0) {
    out += `\nno decision reached an order this session; trace any decision id from ${dataDir}/logs/decisions.jsonl with tradetrace trace <decision_id>${dataDirArg(dataDir)}\n`;
  } else {
    // No decision means no decisions.jsonl to point at: say where the session's own story is.
    out += `\nno decision was made this session; its start and end are in ${dataDir}/logs/audit.jsonl and ${dataDir}/logs/system.jsonl\n`;
  }
  return out;
}

/**
 * Unrealized PnL as the record has it: at the last price; where that is an earlier session's close
 * (a position that got no bar this session), which and of when; where no price is known, that it
 * is unknown for those positions rather than a sum that counts them as 0.
 */
function unrealizedText(record: Record<string, unknown>, unrealized: Decimal, quote: string): string {
  const earlier = Object.entries((record['unrealized_earlier_prices'] ?? {}) as Record<string, { price: string; bar_close: string }>);
  const unknown = (record['unrealized_unknown'] ?? []) as string[];
  const positions = (record['open_positions'] ?? []) as unknown[];
  const before = earlier.length === 0 ? '' : `; ${earlier.map(([symbol, e]) => `${symbol} at ${e.price}`).join(', ')}, the last close${earlier.length === 1 ? '' : 's'} known before this session (bar closing ${[...new Set(earlier.map(([, e]) => closeText(e.bar_close)))].join(', ')}): no bar of ${earlier.length === 1 ? 'it' : 'them'} this session`;
  const known = `${signed(unrealized)} (at the last price, after the exit fee${before})`;
  if (unknown.length === 0) return `unrealized ${known}`;
  const none = `unknown for ${unknown.length} position${unknown.length === 1 ? '' : 's'} no ${quote} price is known of (${unknown.join(', ')})`;
  const priced = positions.length - unknown.length;
  return priced <= 0 ? `unrealized ${none}` : `unrealized ${known} of ${priced} position${priced === 1 ? '' : 's'}, ${none}`;
}

function closeText(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : minuteText(at);
}

/**
 * The part of the session's realized PnL that came from fills restart reconciliation booked (the
 * exchange filled them while no bot ran): realized, and learned of, when this session started.
 */
function reconciledNote(record: Record<string, unknown>): string {
  const text = record['realized_pnl_reconciled'];
  if (typeof text !== 'string') return '';
  const amount = Decimal.parse(text);
  return amount.isZero() ? '' : `, incl. ${signed(amount)} from fills reconciled at start`;
}

/** A currency other than the session's: its own line, in its own unit, never added to the session's. */
function otherCurrencyText(pnl: CurrencyPnl, quote: string): string {
  const reconciled = pnl.reconciled.isZero() ? '' : `, incl. ${signed(pnl.reconciled)} from fills reconciled at start`;
  return `realized ${signed(pnl.session)} ${pnl.currency} this session${reconciled} (total ${signed(pnl.total)}), fees paid ${pnl.fees.toString()} in total: markets quoted in ${pnl.currency}, kept apart from ${quote}`;
}

/** Days from before PnL was kept per currency that mixed several: said to be mixed, in no currency's total. */
function unsplitText(mixed: UnsplitTotal): string {
  const which = mixed.currencies.length === 0 ? 'in currencies the books do not name' : `in ${mixed.currencies.join(' and ')} together`;
  const days = mixed.days === 1 ? `on ${mixed.firstDay}` : `on ${mixed.days} days from ${mixed.firstDay} to ${mixed.lastDay}`;
  return `realized ${signed(mixed.realizedPnl)} and fees paid ${mixed.fees.toString()} ${which} ${days}: booked before PnL was kept per currency and not splittable, so in none of the totals above (on such a day, a daily loss limit in one of them refuses buying)`;
}

/** Why some bars were not decided; when a replay decided none, what to do to decide them. */
function warmNote(record: Record<string, unknown>, replayedToTheEnd: boolean): string {
  const warm = warmBars(record);
  if (warm === 0) return '';
  // Not all of them were decided before: a symbol new to the directory whose candles end before its clock was never decided.
  if (warm < Number(record['bars']) || !replayedToTheEnd) return ` (${warm} only warmed the indicators: at or before where this data directory resumed, decided by an earlier session or older than its clock)`;
  // Replaying the same (or older) candles on a data directory whose clock went past them decides nothing.
  return ` (${warm} only warmed the indicators: this data directory's clock is past these candles; replay into a fresh --data-dir to decide them)`;
}

function warmBars(record: Record<string, unknown>): number {
  const warm = record['warmup_bars'];
  return typeof warm === 'number' ? warm : 0;
}
