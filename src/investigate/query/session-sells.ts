import { Decimal } from '../../domain/decimal.js';
import { splitSymbol } from '../../domain/market-symbol.js';
import type { LocatedEvent } from './find-events.js';
import { invalidFieldsLine } from './line-fields.js';
import type { PnlByCurrency } from './session-pnl.js';
import type { SkippedLines } from './skipped-lines.js';
import { writtenNumber } from './written-number.js';


/** What one session's SELL_FILLED lines realized, per quote currency of their markets. */
export interface SessionSells {
  /** SELL_FILLED lines read (and summed). */
  lines: number;
  readonly byCurrency: Map<string, Decimal>;
  /** Intents whose SELL_FILLED the session wrote (the router's, the order watcher's, reconciliation's). */
  readonly intents: Set<string>;
  /** SELL_FILLED lines without an intent_id (not the bot's today): which sell they close is not known. */
  untagged: number;
  /** Sell intents with an ORDER_FILLED of this session, each with its first such line. */
  readonly filledSells: Map<string, LocatedEvent>;
}

/**
 * A session's realized PnL from its SELL_FILLED lines, for a session whose SESSION_END gives none
 * (killed, running, or a SESSION_END without a summary). The exit handler, the order watcher and
 * restart reconciliation each write one SELL_FILLED per fill they book of an exit sell, with the PnL
 * that fill realized (`realized_pnl`, quote currency, fees included): the lines add up to what the
 * session's SESSION_END summary would have said. Summed exactly (Decimal), from the digits written.
 */
export class SessionSellsTally {
  private readonly sessions = new Map<string, SessionSells>();

  constructor(private readonly skipped: SkippedLines) {}

  private of(session: string): SessionSells {
    let s = this.sessions.get(session);
    if (!s) {
      s = { lines: 0, byCurrency: new Map(), intents: new Set(), untagged: 0, filledSells: new Map() };
      this.sessions.set(session, s);
    }
    return s;
  }

  /**
   * A SELL_FILLED line whose fields `sessions` checked (symbol a string, realized_pnl a number): one
   * whose PnL is not a decimal or whose symbol is not BASE/QUOTE is reported as unreadable, as a line
   * of the wrong field types is, and left out (the session's PnL is then unknown: see `unreadable`).
   */
  addSell(e: LocatedEvent): void {
    const { symbol, session_id: session, intent_id: intent } = e.event as { symbol: string; session_id: string; intent_id?: unknown };
    const quote = splitSymbol(symbol)?.quote;
    const text = writtenNumber(e, 'realized_pnl');
    let pnl: Decimal | undefined;
    try {
      pnl = text === undefined ? undefined : Decimal.parse(text);
    } catch {
      pnl = undefined;
    }
    if (quote === undefined || pnl === undefined) {
      const problem = quote === undefined ? `symbol is ${JSON.stringify(symbol)}, not BASE/QUOTE` : `realized_pnl is ${text ?? 'nothing'}, not a decimal number`;
      this.skipped.add(invalidFieldsLine(e, `SELL_FILLED: ${problem}`));
      return;
    }
    const s = this.of(session);
    s.lines++;
    s.byCurrency.set(quote, (s.byCurrency.get(quote) ?? Decimal.ZERO).add(pnl));
    if (typeof intent === 'string') s.intents.add(intent);
    else s.untagged++;
  }

  /** An order line: a sell's ORDER_FILLED is what the session's SELL_FILLED for that intent follows. */
  addOrderLine(e: LocatedEvent): void {
    const { event_type: type, side, intent_id: intent, session_id: session } = e.event as { event_type: string; side?: unknown; intent_id?: unknown; session_id: string };
    if (type !== 'ORDER_FILLED' || side !== 'sell' || typeof intent !== 'string') return;
    const fills = this.of(session).filledSells;
    if (!fills.has(intent)) fills.set(intent, e);
  }

  /** The session's SELL_FILLED lines read (possibly none). */
  sells(session: string): SessionSells | undefined {
    return this.sessions.get(session);
  }
}

/**
 * The session's realized PnL per currency from its sells; `quote` (the session's quote currency,
 * when known) is shown as 0 when it sold nothing in it. Never summed across currencies.
 */
export function sellsPnl(sells: SessionSells | undefined, quote: string | undefined): PnlByCurrency {
  const out: PnlByCurrency = {};
  if (quote !== undefined) out[quote] = '0';
  for (const [currency, amount] of sells?.byCurrency ?? []) out[currency] = amount.toString();
  return out;
}

/**
 * The first sell intent the session filled (ORDER_FILLED, side sell) without writing its
 * SELL_FILLED: the bot books the fill, then writes ORDER_FILLED, then SELL_FILLED, so one killed in
 * between left a realized PnL in its store that no line of it carries, and the sum of its
 * SELL_FILLED lines is short of it. Undefined when every filled sell has its SELL_FILLED, or when a
 * SELL_FILLED line names no intent (then which sell it closed cannot be told: none is called missing).
 */
export function sellWithoutLine(sells: SessionSells | undefined): LocatedEvent | undefined {
  if (sells !== undefined && sells.untagged > 0) return undefined;
  for (const [intent, line] of sells?.filledSells ?? []) if (!sells?.intents.has(intent)) return line;
  return undefined;
}
