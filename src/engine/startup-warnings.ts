import type { Decimal } from '../domain/decimal.js';
import type { Recorder } from '../recorder/recorder.js';
import type { PositionRecord } from '../store/records.js';

export interface StartingBooks {
  /** Open positions as the session starts (after restart reconciliation). */
  readonly positions: readonly PositionRecord[];
  /** What the account holds of trading.quote_currency. */
  readonly quoteBalance: Decimal;
  readonly quoteCurrency: string;
  readonly tradedSymbols: readonly string[];
  readonly maxOpenPositions: number;
}

/**
 * What a restart with changed settings leaves the bot unable to do, said once as it starts (a LOG
 * line at warn): a position in a symbol this session does not trade gets no bar, so no exit rule
 * can ever fire on it, yet it counts toward max_open_positions; an account with none of the quote
 * currency refuses every buy (starting_quote_balance funds only a new account). Both went unsaid.
 */
export function warnAtStart(recorder: Recorder, books: StartingBooks): void {
  const traded = new Set(books.tradedSymbols);
  for (const position of books.positions) {
    if (traded.has(position.symbol)) continue;
    recorder.emit('LOG', {
      component: 'startup',
      message: `${position.symbol} ${position.qty.toString()} (${position.decisionId}) is held but not traded this session (${books.tradedSymbols.join(', ')}): no bar of it comes, so no exit rule can fire on it, and it counts toward trading.max_open_positions (${books.maxOpenPositions}); trade ${position.symbol} again to manage it`,
      data: { symbol: position.symbol, qty: position.qty.toString(), decision_id: position.decisionId, traded: [...books.tradedSymbols] },
    }, { level: 'warn' });
  }
  if (books.quoteBalance.isZero()) {
    recorder.emit('LOG', {
      component: 'startup',
      message: `the account holds no ${books.quoteCurrency} (trading.quote_currency): every buy will be refused (insufficient_balance); trading.starting_quote_balance funds only a new account`,
      data: { quote_currency: books.quoteCurrency },
    }, { level: 'warn' });
  }
}
