import { z } from 'zod';
import { key } from '../keys.js';

const SYMBOL = { pattern: /^[A-Z0-9]{2,12}\/[A-Z0-9]{2,12}$/, expected: 'market symbols like BTC/USDT' };

function times(n: number): string {
  return n === 2 ? 'twice' : `${n} times`;
}

/** What the bot may trade and how much risk it may hold. */
export const tradingSection = z
  .object({
    global_trading: key.bool(true, 'master switch: false blocks every new buy (exits still run)'),
    symbols: key.list(['BTC/USDT'], SYMBOL, 'markets the bot trades, each listed once'),
    quote_currency: key.text('USDT', /^[A-Z0-9]{2,12}$/, 'a currency code like USDT', 'currency balances and PnL are counted in'),
    max_open_positions: key.int(1, { min: 1, max: 100 }, 'open positions allowed at once (all symbols)'),
    cooldown_after_exit: key.duration('5m', { min: '0s', max: '7d' }, 'wait after closing a position before buying the same symbol'),
    daily_loss_limit_pct: key.decimal('5', { min: '0', max: '100' }, 'realized loss in a UTC day that blocks buys (0 disables), as % of the quote capital when the session starts: the quote balance plus what open positions cost (on a new account, starting_quote_balance)'),
    starting_quote_balance: key.decimal('1000', { min: '0' }, 'paper: the quote currency balance a new paper account starts with (an existing data directory keeps its balance: use a fresh --data-dir)'),
    starting_base_balance: key.decimal('0', { min: '0' }, 'paper: base currency balance at start, per symbol'),
  })
  .strict()
  .superRefine((section, ctx) => {
    // A market listed twice would be fed and decided twice per bar; the feed then sees a bar that is
    // not after the previous one and the session dies mid-run. Refused here, before anything starts.
    const repeated = [...new Set(section.symbols.filter((symbol, i) => section.symbols.indexOf(symbol) !== i))];
    if (repeated.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['symbols'],
        message: `expected each market once; ${repeated.map((symbol) => `${symbol} is listed ${times(section.symbols.filter((s) => s === symbol).length)}`).join(', ')}`,
        input: section.symbols,
      });
    }
  });
