import { basename } from 'node:path';
import { Decimal } from '../../domain/decimal.js';
import { dataDirArg, shellWord } from '../../domain/shell-word.js';
import { byTime, type LocatedEvent } from '../query/find-events.js';
import { byOrderWatcher, partlyFilled, summarizeIntent, type IntentSummary } from '../query/orders-tally.js';
import { below } from './orders-view.js';
import type { Style } from './style.js';
import { after, ago, duration, utc } from './time-format.js';
import { field, raw, text } from './values.js';

/**
 * An ORDER_FAILED message without the `attempt N: ` and `<reason>: ` the router puts before the
 * exchange's words, which the timeline line says already ("ORDER FAILED on attempt 1: rejected:
 * attempt 1: rejected: ..."). An exchange code that differs from the reason is kept.
 */
function failureMessage(message: string, attempt: string, reason: string): string {
  const said = `attempt ${attempt}: `;
  const rest = message.startsWith(said) ? message.slice(said.length) : message;
  return rest.startsWith(`${reason}: `) ? rest.slice(reason.length + 2) : rest;
}

/** One line of the timeline: what happened, in words, with the exact values. */
/** ` on the bar of 2022-01-15 10:42:00.000Z` for an exit line that names its bar (older lines do not). */
function onBar(e: LocatedEvent): string {
  const bar = text(e, 'bar_ts');
  return bar ? ` on the bar of ${utc(bar)}` : '';
}

/**
 * `lines`, when given, are the other lines of the trace: an ORDER_RECONCILED among them that follows
 * a line of its intent from its own session is the order watcher's look-up, not a restart's
 * (see byOrderWatcher), and says so.
 */
export function describeEvent(e: LocatedEvent, lines: readonly LocatedEvent[] = []): string {
  const v = (k: string) => raw(e, k);
  switch (e.event.event_type) {
    case 'DECISION_START': return `decision starts for ${v('symbol')}: bar ${v('bar_ts')}, price ${v('price')}, strategy ${v('strategy')}`;
    case 'BUY_BLOCKED': return `BLOCKED by guard ${v('guard')}: observed ${v('observed')} against threshold ${v('threshold')} (${v('message')})`;
    case 'BUY_TRIGGERED': return `signal ${v('signal')} at ${v('price')}; indicators ${Object.entries((field(e, 'indicators') ?? {}) as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join(' ')}`;
    case 'BUY_CANDIDATE': return `sized: qty ${v('qty')} at limit ${v('limit_px')} (ref ${v('ref_px')}), notional ${v('notional')} of budget ${v('quote_budget')}`;
    case 'BUY_ORDER': return `order handed to the router: ${v('side')} ${v('qty')} ${v('symbol')} limit ${v('limit_px')} ${v('tif')}, intent ${e.event.intent_id ?? '?'}`;
    case 'ORDER_CONTEXT': return `attempt ${v('attempt')} constraints: qty ${v('qty')} · limit_px ${v('limit_px')} · notional ${v('notional')} · quote_budget ${v('quote_budget')} · tif ${v('tif')} · slippage_bps ${v('slippage_bps')} · min_notional ${v('min_notional')} · max_retries ${v('max_retries')} · retry_backoff_ms ${v('retry_backoff_ms')} · client_order_id ${v('client_order_id')}`;
    // The same attempt again is a look-up of an order whose state a timeout left unknown: nothing is resent.
    case 'ORDER_RETRY': return v('next_attempt') === v('attempt')
      ? `attempt ${v('attempt')}'s order state unknown (${v('reason')}: ${v('message')}); looked up again after a backoff of ${v('backoff_ms')}ms, nothing resent`
      : `attempt ${v('attempt')} failed (${v('reason')}: ${v('message')}); retrying as attempt ${v('next_attempt')} after a backoff of ${v('backoff_ms')}ms`;
    case 'ORDER_SUBMITTED': return `attempt ${v('attempt')} accepted by the exchange: order ${v('exchange_order_id')}, status ${v('status')}`;
    case 'ORDER_FILLED': return `FILLED ${v('filled_qty')} at ${v('avg_px')}, fee ${v('fee')} ${v('fee_currency')}${field(e, 'partial') === true ? ' (partial)' : ''}`;
    case 'ORDER_FAILED': return `ORDER FAILED on attempt ${v('attempt')}: ${v('reason')}: ${failureMessage(v('message'), v('attempt'), v('reason'))}`;
    case 'ORDER_CANCELED': return `canceled (${v('reason')}) after ${v('filled_qty')} filled`;
    // Written by the restart's recovery, in a later session than the decision's: say which.
    case 'ORDER_RECONCILED': return `order ${v('client_order_id')} ${byOrderWatcher(e, sameIntent(e, lines)) ? 'looked up by the order watcher' : 'reconciled on restart'} in ${e.event.session_id}: ${v('outcome')}${text(e, 'exchange_status') ? `, exchange ${v('exchange_status')}` : ''}, filled ${v('filled_qty')}, booked ${v('booked_qty')}, status ${v('previous_status')} -> ${v('status')}: ${v('details')}`;
    case 'BUY_FILLED': return `position open: ${v('qty')} ${v('symbol')} at ${v('avg_px')}, notional ${v('notional')}, fee ${v('fee')} ${v('fee_currency')}`;
    case 'DECISION_ERROR': return `ERROR in ${v('stage')}: ${v('error_code')}: ${v('message')}`;
    case 'DECISION_END': return `decision ends: ${v('outcome')}${text(e, 'reason') ? ` (${text(e, 'reason')})` : ''} after ${v('duration_ms')}ms`;
    case 'EXIT_TRIGGERED':
      // Max holding time is a clock, not a price level: its trigger_px is just the close.
      return v('rule') === 'max_holding_time'
        ? `exit rule max_holding_time fired${onBar(e)}: held past the limit, price ${v('price')} (entry ${v('entry_px')}), selling ${v('qty')}`
        : `exit rule ${v('rule')} fired${onBar(e)}: price ${v('price')} crossed ${v('trigger_px')} (entry ${v('entry_px')}), selling ${v('qty')}`;
    // The bot's own message says which case it is (held back by the pre-check, refused by the venue,
    // or a quantity the market does not trade); the numbers follow for the record.
    case 'EXIT_BLOCKED': return `EXIT BLOCKED${onBar(e)}: ${v('message')} [sell ${v('qty')} at limit ${v('limit_px')}, value ${v('notional')}, minimum ${v('min_notional')}]`;
    case 'SELL_FILLED': return `SOLD ${v('qty')} at ${v('avg_px')} (entry ${v('entry_px')}), fee ${v('fee')}, realized PnL ${v('realized_pnl')} after holding ${duration(Number(field(e, 'holding_s')) * 1000)}`;
    case 'DASH_EVENT': return `dashboard showed ${v('dashboard_event_type')} "${v('message')}" (raised by ${v('source')})`;
    case 'LOG': return `${e.event.level === 'info' ? 'note' : e.event.level.toUpperCase()} from ${v('component')}: ${v('message')}`;
    default: return `${e.event.event_type} ${e.text.slice(0, 160)}`;
  }
}

/**
 * The order watcher's LOG line saying the buy order is not on the exchange (never placed, marked
 * not_found), read from its data, not its words: logs written before the watcher also wrote
 * ORDER_RECONCILED not_found have only it. Counted only when later than `reconciled`.
 */
function watcherNotFound(events: readonly LocatedEvent[], buyLines: readonly LocatedEvent[], reconciled: LocatedEvent | undefined): LocatedEvent | undefined {
  const intents = new Set(buyLines.map((e) => e.event.intent_id));
  return events.findLast((e) => {
    if (e.event.event_type !== 'LOG' || field(e, 'component') !== 'OrderWatcher' || !intents.has(e.event.intent_id)) return false;
    const data = field(e, 'data') as { status?: unknown } | undefined;
    return data?.status === 'not_found' && (reconciled === undefined || byTime(e, reconciled) > 0);
  });
}

function first(events: readonly LocatedEvent[], type: string): LocatedEvent | undefined {
  return events.find((e) => e.event.event_type === type);
}

/** Retries of the order lines given, as ` after N retries (reason, ...)`, or nothing. */
function retriesOf(orderLines: readonly LocatedEvent[]): string {
  const reasons = orderLines.filter((e) => e.event.event_type === 'ORDER_RETRY').map((e) => raw(e, 'reason'));
  return reasons.length > 0 ? ` after ${reasons.length} retr${reasons.length === 1 ? 'y' : 'ies'} (${reasons.join(', ')})` : '';
}

/**
 * The decision's buy intent as `orders` sums it up (the same verdict): the intent of its latest buy
 * order line, from all of that intent's lines here.
 */
const sameIntent = (e: LocatedEvent, lines: readonly LocatedEvent[]): LocatedEvent[] => lines.filter((x) => x.event.intent_id === e.event.intent_id);

function buyIntent(buyLines: readonly LocatedEvent[]): IntentSummary | undefined {
  const id = buyLines.at(-1)?.event.intent_id;
  return id === undefined ? undefined : summarizeIntent(id, buyLines.filter((e) => e.event.intent_id === id));
}

/**
 * A position's one SELL_FILLED: the whole position only when it sold all that was bought. A resting
 * (GTC) exit that filled in part, or an IOC exit the bar's volume capped, sells less, and the rest
 * is still held: calling that "closed" hid an open position behind one part's PnL.
 */
function soldOnce(sell: LocatedEvent, held: string | undefined, retries: string): string {
  const px = raw(sell, 'avg_px');
  const rule = raw(sell, 'rule');
  const pnl = raw(sell, 'realized_pnl');
  const left = stillHeld(raw(sell, 'qty'), held);
  if (left === undefined) return `position closed by ${rule} at ${px}${retries}, realized PnL ${pnl}`;
  return `sold ${raw(sell, 'qty')} of ${held ?? '?'} by ${rule} at ${px}${retries}, realized PnL ${pnl}, ${left} still held`;
}

/** What is left of `held` after selling `sold`, when that is more than nothing (exact decimals); else undefined. */
function stillHeld(sold: string, held: string | undefined): string | undefined {
  if (held === undefined) return undefined;
  try {
    const left = Decimal.parse(held).sub(Decimal.parse(sold));
    return left.gt(Decimal.ZERO) ? left.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the buy bought, in all: the quantity and average price of its order's latest fill line
 * (ORDER_FILLED is cumulative; a resting order gets one per look-up that found more filled, and each
 * BUY_FILLED only the increment), else the first BUY_FILLED's when the order lines are not here.
 * With how much of the order that is when it filled only in part, and what ended the rest.
 */
/**
 * A position sold over several SELL_FILLED lines (partial fills of IOC exits, bar after bar): what
 * was sold in all and the PnL of all of it. The first line alone named one part's PnL as the whole
 * position's, and called it closed while the rest was still held.
 */
function soldInParts(sells: readonly LocatedEvent[], held: string | undefined): string {
  let qty = Decimal.ZERO;
  let pnl = Decimal.ZERO;
  try {
    for (const sell of sells) {
      qty = qty.add(Decimal.parse(raw(sell, 'qty')));
      pnl = pnl.add(Decimal.parse(raw(sell, 'realized_pnl')));
    }
  } catch {
    return `sold in ${sells.length} parts (their quantities or PnL do not read as decimals)`;
  }
  const rules = [...new Set(sells.map((s) => raw(s, 'rule')))].join(', ');
  const last = sells.at(-1);
  const state = held !== undefined && below(qty.toString(), held) ? `position partly sold, ${qty.toString()} of ${held}` : 'position closed';
  return `${state} by ${rules} in ${sells.length} sells, the last at ${last ? raw(last, 'avg_px') : '?'}, realized PnL ${pnl.toString()} in all`;
}

function bought(intent: IntentSummary | undefined, filled: LocatedEvent): string {
  const fill = intent?.fill;
  if (!fill) return `${raw(filled, 'qty')} ${raw(filled, 'symbol')} at ${raw(filled, 'avg_px')}`;
  const canceled = intent?.events.findLast((e) => e.event.event_type === 'ORDER_CANCELED');
  const foundCanceled = fill.line.event.event_type === 'ORDER_RECONCILED' && raw(fill.line, 'outcome') === 'canceled';
  const rest = canceled ? `, the rest ${raw(canceled, 'reason')}` : foundCanceled ? `, the rest canceled (restart reconciliation in ${fill.line.event.session_id} found it)` : '';
  const short = fill.requested !== undefined && below(fill.qty, fill.requested) ? ` (of ${fill.requested} ordered${rest})` : '';
  return `${fill.qty} ${raw(fill.line, 'symbol')} at ${fill.avgPx}${short}`;
}

/**
 * The sentence an operator reads first: what ended the decision, in plain words. A filled buy's
 * decision also holds its position's exits (they carry its decision_id): order lines are told apart
 * by their intent's side, so an exit's retries or failure are never the buy's.
 */
export function verdict(events: readonly LocatedEvent[]): string {
  // The side of each intent: from its ORDER_CONTEXT, or from any order line that names one (an
  // order refused before it was sent has an ORDER_FAILED but no ORDER_CONTEXT).
  const sideOfIntent = new Map<string, string>();
  for (const e of events) {
    const side = field(e, 'side');
    if (e.event.event_type.startsWith('ORDER_') && e.event.intent_id && typeof side === 'string' && !sideOfIntent.has(e.event.intent_id)) sideOfIntent.set(e.event.intent_id, side);
  }
  const orderLinesOf = (side: 'buy' | 'sell'): LocatedEvent[] =>
    events.filter((e) => e.event.event_type.startsWith('ORDER_') && e.event.intent_id !== undefined && sideOfIntent.get(e.event.intent_id) === side);
  const buyLines = orderLinesOf('buy');
  const sellLines = orderLinesOf('sell');
  const blocked = first(events, 'BUY_BLOCKED');
  const failed = first(buyLines, 'ORDER_FAILED');
  const error = first(events, 'DECISION_ERROR');
  const filled = first(events, 'BUY_FILLED');
  const end = first(events, 'DECISION_END');
  const sell = first(events, 'SELL_FILLED');
  // The buy order as a restart's reconciliation last found it: the bot stopped with it unsettled
  // (killed mid-order, or the router gave up after a timeout), and the next session asked the exchange.
  // Or as the session's order watcher found it afterwards, not on the exchange (never placed): an
  // ORDER_RECONCILED not_found of its own (byOrderWatcher), or, in logs written before it wrote one,
  // its LOG line's data (status not_found) in the decision.
  const reconciled = buyLines.findLast((e) => e.event.event_type === 'ORDER_RECONCILED');
  const foundFilled = reconciled !== undefined && raw(reconciled, 'outcome') === 'booked_fill';
  const watcherLine = reconciled !== undefined && byOrderWatcher(reconciled, sameIntent(reconciled, buyLines));
  const neverPlaced = watcherLine ? undefined : watcherNotFound(events, buyLines, reconciled);
  const found = neverPlaced
    ? `the order watcher in ${neverPlaced.event.session_id} found the order not_found: ${raw(neverPlaced, 'message')}`
    : reconciled ? `${watcherLine ? 'the order watcher' : 'restart reconciliation'} in ${reconciled.event.session_id} found the order ${raw(reconciled, 'outcome')}: ${raw(reconciled, 'details')}` : '';
  // The router gave up on a timed-out order it could not look up; the session's order watcher, asking
  // the exchange each bar, found it filled later (BUY_FILLED after the failure): it is filled.
  const watcherFilled = failed !== undefined && filled !== undefined && raw(failed, 'reason') === 'timeout_exhausted' && byTime(filled, failed) > 0;
  // The buy order filled in part and still rests on the exchange (a GTC order): no final state yet.
  const intent = buyIntent(buyLines);
  const partly = intent?.fill !== undefined && partlyFilled(intent) ? intent.fill : undefined;
  let out: string;
  if (blocked) out = `BLOCKED: guard ${raw(blocked, 'guard')} refused the buy: observed ${raw(blocked, 'observed')} against threshold ${raw(blocked, 'threshold')}: ${raw(blocked, 'message')}`;
  else if (partly) {
    const gaveUp = watcherFilled ? `, found by the order watcher after the router had given up on attempt ${raw(failed, 'attempt')}: ${raw(failed, 'reason')}` : '';
    out = `PARTLY FILLED ${partly.qty}${partly.requested !== undefined ? ` of ${partly.requested}` : ''} so far (order still open): bought ${partly.qty} ${raw(partly.line, 'symbol')} at ${partly.avgPx} on average${gaveUp}${retriesOf(buyLines)}`;
  }
  else if (foundFilled && !filled) out = `FILLED: ${found}${failed ? ` (the router had given up on attempt ${raw(failed, 'attempt')}: ${raw(failed, 'reason')}: ${raw(failed, 'message')})` : end ? '' : ' (the bot stopped before the decision ended)'}`;
  else if (watcherFilled) {
    out = `FILLED: bought ${bought(intent, filled)}, found by the order watcher after the router had given up on attempt ${raw(failed, 'attempt')}: ${raw(failed, 'reason')}: ${raw(failed, 'message')}`;
  } else if (failed) out = `FAILED: the order failed for good on attempt ${raw(failed, 'attempt')}${retriesOf(buyLines)}: ${raw(failed, 'reason')}: ${raw(failed, 'message')}${found ? `; ${found}` : ''}`;
  else if (error) out = `ERROR in ${raw(error, 'stage')}: ${raw(error, 'error_code')}: ${raw(error, 'message')}`;
  else if (filled) out = `FILLED: bought ${bought(intent, filled)}${retriesOf(buyLines)}`;
  else if (end) out = `${raw(end, 'outcome').toUpperCase()}: ${text(end, 'reason') || 'the decision ended without an order'}`;
  else if (reconciled) out = `UNFINISHED: the bot stopped with the order in flight (no DECISION_END); ${found}`;
  else out = 'UNFINISHED: no DECISION_END was written (the bot stopped or is still deciding)';
  if (filled || foundFilled || partly) {
    const exitFailures = sellLines.filter((e) => e.event.event_type === 'ORDER_FAILED');
    const lastFailure = exitFailures.at(-1);
    const sells = events.filter((e) => e.event.event_type === 'SELL_FILLED');
    const held = partly?.qty ?? intent?.fill?.qty ?? (filled ? raw(filled, 'qty') : undefined);
    if (sells.length > 1) out += `; ${soldInParts(sells, held)}${retriesOf(sellLines)}`;
    else if (sell) out += `; ${soldOnce(sell, held, retriesOf(sellLines))}`;
    else if (lastFailure) out += `; the position is still open: ${exitFailures.length} exit order${exitFailures.length === 1 ? '' : 's'} failed, the last: ${raw(lastFailure, 'reason')}: ${raw(lastFailure, 'message')}`;
    else out += '; the position is still open (no SELL_FILLED)';
  }
  return out;
}

/** `dataDir`: the directory to name in the follow-up commands, when it is not the one they would use anyway. */
export function renderTrace(decisionId: string, events: readonly LocatedEvent[], style: Style, nowMs: number, dataDir: string | undefined): string {
  const start = first(events, 'DECISION_START') ?? events[0];
  if (!start) return '';
  const ref = start.event.ts;
  const symbol = raw(start, 'symbol');
  const out: string[] = [];
  out.push(style.bold(`decision ${decisionId}  ${symbol}  ${start.event.session_id}`));
  out.push(`started ${utc(ref)} (${ago(ref, nowMs)})`);
  const v = verdict(events);
  const color = v.startsWith('FILLED') ? style.green : v.startsWith('PARTLY FILLED') ? style.yellow : v.startsWith('NO_SIGNAL') ? style.dim : style.red;
  out.push(color(v));
  out.push('');
  out.push(style.dim('time (UTC)                 since start  event'));
  const runs = repeatedFailures(events);
  for (const e of events) {
    const run = runs.get(e);
    if (run === 'hidden') continue;
    if (run) {
      out.push(style.red(`${utc(run.from)}  ${after(run.from, ref).padStart(11)}  ${style.cyan('...'.padEnd(15))} ${describeRun(decisionId, run, dataDir)}`));
      continue;
    }
    const where = style.dim(`${basename(e.file.path)}`);
    const type = e.event.event_type.padEnd(15);
    const line = `${utc(e.event.ts)}  ${after(e.event.ts, ref).padStart(11)}  ${style.cyan(type)} ${describeEvent(e, events)}  ${where}`;
    out.push(e.event.level === 'error' || e.event.event_type === 'BUY_BLOCKED' ? style.red(line) : line);
  }
  return `${out.join('\n')}\n`;
}

/** More failed intents of one side than this, and the timeline shows the first and last only. */
export const SHOWN_FAILED_INTENTS = 20;

/** Failed intents of one side left out of the timeline, told in one line where the first of them was. */
interface FailedRun {
  readonly side: string;
  /** Every failed intent of the side, the first and last shown among them. */
  readonly failed: number;
  readonly hidden: number;
  readonly lines: number;
  readonly reasons: ReadonlyMap<string, number>;
  readonly from: string;
  readonly to: string;
  readonly firstShown: string;
  readonly lastShown: string;
}

/**
 * A position whose exit fails on every bar (a balance the venue no longer holds, an exchange that
 * times out) writes an EXIT_TRIGGERED and an intent's order lines per bar, all under the decision's
 * id: tens of thousands of intents. When a side has more than SHOWN_FAILED_INTENTS failed intents
 * (an ORDER_FAILED, never filled), the timeline keeps the first and the last in full and tells the
 * rest in one line (how many, their reasons, the span); the lines of each are one `orders --intent`
 * away, all of them one `trace --json` away. Each EXIT_TRIGGERED goes with the intent it started (its
 * intent_id, or in older logs the next order line's). A map from each line left out to 'hidden', and from the first of them to the run.
 */
function repeatedFailures(events: readonly LocatedEvent[]): Map<LocatedEvent, FailedRun | 'hidden'> {
  const marks = new Map<LocatedEvent, FailedRun | 'hidden'>();
  const side = new Map<string, string>();
  const filled = new Set<string>();
  const failedReason = new Map<string, string>();
  for (const e of events) {
    const intent = e.event.intent_id;
    if (!intent || !e.event.event_type.startsWith('ORDER_')) continue;
    const s = field(e, 'side');
    if (typeof s === 'string' && !side.has(intent)) side.set(intent, s);
    if (e.event.event_type === 'ORDER_FILLED') filled.add(intent);
    if (e.event.event_type === 'ORDER_FAILED') failedReason.set(intent, raw(e, 'reason'));
  }
  const bySide = new Map<string, string[]>();
  for (const intent of failedReason.keys()) {
    if (filled.has(intent)) continue;
    const s = side.get(intent) ?? '?';
    const list = bySide.get(s) ?? [];
    list.push(intent);
    bySide.set(s, list);
  }
  for (const [s, intents] of bySide) {
    if (intents.length <= SHOWN_FAILED_INTENTS) continue;
    // In the order of their first lines: the first and last shown are the first and last to start.
    const order = new Map<string, number>();
    events.forEach((e, i) => {
      const intent = e.event.intent_id;
      if (intent !== undefined && failedReason.has(intent) && !order.has(intent)) order.set(intent, i);
    });
    const sorted = intents.filter((i) => order.has(i)).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    const firstShown = sorted[0] ?? '';
    const lastShown = sorted[sorted.length - 1] ?? '';
    const hidden = new Set(sorted.slice(1, -1));
    const reasons = new Map<string, number>();
    for (const intent of sorted) reasons.set(failedReason.get(intent) ?? '?', (reasons.get(failedReason.get(intent) ?? '?') ?? 0) + 1);
    const left: LocatedEvent[] = [];
    const started = new Set<string>();
    let trigger: LocatedEvent | null = null;
    for (const e of events) {
      const intent = e.event.intent_id;
      if (e.event.event_type === 'EXIT_TRIGGERED') {
        // One naming its sell's intent goes with it; one naming none (older logs) with the next intent
        // begun after it, and stays shown when none began.
        if (intent === undefined) trigger = e;
        else if (hidden.has(intent)) left.push(e);
        continue;
      }
      if (intent === undefined || !e.event.event_type.startsWith('ORDER_')) continue;
      const starts = !started.has(intent);
      started.add(intent);
      if (hidden.has(intent)) {
        if (starts && trigger) left.push(trigger);
        left.push(e);
      }
      if (starts) trigger = null;
    }
    const firstLeft = left[0];
    if (!firstLeft) continue;
    for (const e of left) marks.set(e, 'hidden');
    marks.set(firstLeft, {
      side: s,
      failed: sorted.length,
      hidden: hidden.size,
      lines: left.length,
      reasons: new Map([...reasons].sort((a, b) => b[1] - a[1])),
      from: firstLeft.event.ts,
      to: left[left.length - 1]?.event.ts ?? firstLeft.event.ts,
      firstShown,
      lastShown,
    });
  }
  return marks;
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

function describeRun(decisionId: string, run: FailedRun, dataDir: string | undefined): string {
  const reasons = [...run.reasons].map(([reason, n]) => `${reason} ${thousands(n)}`).join(', ');
  return (
    `${thousands(run.failed)} ${run.side} intents failed: ${reasons}; the first (${run.firstShown}) and last (${run.lastShown}) are shown, ` +
    `${thousands(run.hidden)} between them are not (${thousands(run.lines)} lines, ${utc(run.from)} to ${utc(run.to)}): ` +
    `tradetrace orders --intent <int_...>${dataDirArg(dataDir)} shows one, tradetrace trace ${shellWord(decisionId)} --json${dataDirArg(dataDir)} every line`
  );
}
