import { isoTime, type Bar } from '../market-data/index.js';
import { withDecision } from '../recorder/trace-context.js';
import type { EngineContext } from './engine-context.js';

/** `2021-12-31T23:40Z` for a time on the minute, the full ISO time otherwise. */
export function minuteText(ms: number): string {
  return isoTime(ms).replace(/:00\.000Z$/, 'Z');
}

/**
 * The symbols whose bars stopped coming while the others' go on (a candle file that ended before
 * the rest, a feed gone quiet) as they hold a position or a resting order. Exit rules run on a
 * symbol's own bars, so such a position is held with no stop loss, take profit or max_holding
 * until its bars resume, yet it still takes its slot of max_open_positions (its capital is tied up:
 * it is not sold for want of data). Unsaid, a month of every other symbol's buys was refused on
 * a position whose only trace was one DATA_STALE line.
 *
 * Found on the staleness tracker's age (the one DATA_STALE and the stale_data guard read), past the
 * same threshold, asked once per bar time while something is held: a bar of another symbol is what
 * shows the others go on.
 */
export class EndedFeeds {
  /** Symbol -> open time of its last bar, while its bars stay away. */
  private readonly ended = new Map<string, number>();
  private checkedAt = Number.NaN;
  private readonly staleAfterMs: number;
  /** One symbol traded: no other's bars go on without it (a held symbol not traded gets no age). */
  private readonly single: boolean;

  constructor(private readonly ctx: EngineContext) {
    this.staleAfterMs = Math.max(ctx.settings.limits.staleAfterMs, ctx.intervalMs);
    this.single = ctx.markets.size <= 1;
  }

  /** Called on every bar, after its price is marked. */
  onBar(bar: Bar): void {
    if (this.single) return;
    if (this.ended.size > 0) this.ended.delete(bar.symbol);
    if (bar.openTime === this.checkedAt) return;
    this.checkedAt = bar.openTime;
    const { portfolio } = this.ctx;
    if (portfolio.openPositionCount() === 0 && !portfolio.hasUnsettledOrders) return;
    for (const symbol of this.heldSymbols()) {
      if (symbol === bar.symbol || this.ended.has(symbol)) continue;
      const lastOpen = portfolio.lastPriceAt(symbol);
      const age = this.ctx.dataAgeMs(symbol);
      // No bar of it yet this session: not an ended feed (a symbol not traded is the start's warning).
      if (lastOpen === undefined || age === null || !(age > this.staleAfterMs)) continue;
      this.ended.set(symbol, lastOpen);
      this.warn(symbol, lastOpen, age);
    }
  }

  /** Open time of the symbol's last bar, while its bars have ended and others go on. */
  endedAt(symbol: string): number | undefined {
    return this.ended.get(symbol);
  }

  /** What max_open_positions says of the symbol's position (or resting buy) when its bars have ended. */
  note(symbol: string, what: 'position' | 'order' = 'position'): string | undefined {
    const at = this.ended.get(symbol);
    if (at === undefined) return undefined;
    return `its bars ended at ${minuteText(at)}, ${what === 'position' ? 'no exit runs on it' : 'it is matched on no bar until they resume'}`;
  }

  private heldSymbols(): Set<string> {
    const { portfolio } = this.ctx;
    const symbols = new Set(portfolio.positions().map((p) => p.symbol));
    if (portfolio.hasUnsettledOrders) for (const order of portfolio.store.openOrders()) symbols.add(order.symbol);
    return symbols;
  }

  /** Said once per spell, inside the position's decision (or the resting order's): `trace` of it shows why it stays open. */
  private warn(symbol: string, lastOpen: number, age: number): void {
    const { portfolio, recorder, settings, markets } = this.ctx;
    const position = portfolio.position(symbol);
    const order = portfolio.openOrder(symbol);
    const base = markets.get(symbol)?.baseAsset;
    const held = position === undefined ? undefined : `${position.qty.toString()}${base === undefined ? '' : ` ${base}`} (${position.decisionId})`;
    const resting = order === undefined ? undefined : `a ${order.side} order ${order.intentId} (${order.status}, ${order.decisionId}) not settled`;
    const what = [held === undefined ? undefined : `its position of ${held}`, resting].filter((x) => x !== undefined).join(' and ');
    const counts = position !== undefined || order?.side === 'buy' ? `; it stays held and counts toward trading.max_open_positions (${settings.limits.maxOpenPositions})` : '';
    const orderNote = order === undefined ? '' : ', and its resting order is matched only on its own bars';
    const message =
      `${symbol}: its bars ended at ${minuteText(lastOpen)} while the other symbols' go on, with ${what}: ` +
      `no exit rule can run on it until its data resumes (exits are checked on its own bars${orderNote})${counts}`;
    const data = {
      symbol, last_bar_ts: isoTime(lastOpen), age_ms: age, threshold_ms: this.staleAfterMs, feed_ended: true,
      ...(position === undefined ? {} : { decision_id: position.decisionId, qty: position.qty.toString() }),
      ...(order === undefined ? {} : { intent_id: order.intentId, order_side: order.side, order_status: order.status }),
    };
    const decisionId = position?.decisionId ?? order?.decisionId;
    const emit = (): void => {
      recorder.emit('LOG', { component: 'TradingEngine', message, data }, { level: 'warn' });
    };
    if (decisionId === undefined) emit();
    else withDecision(decisionId, emit);
  }
}
