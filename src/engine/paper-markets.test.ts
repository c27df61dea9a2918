import { describe, expect, it } from 'vitest';
import { checkReplayMarkets, MarketSetupError, type ReplayMarket } from './paper-markets.js';

function refusal(markets: readonly ReplayMarket[]): MarketSetupError {
  try {
    checkReplayMarkets(markets);
  } catch (error) {
    if (error instanceof MarketSetupError) return error;
    throw error;
  }
  throw new Error('expected the markets to be refused');
}

describe('checkReplayMarkets', () => {
  it('accepts files of distinct markets in one quote currency', () => {
    expect(() => checkReplayMarkets([{ file: 'a.csv', symbol: 'BTC/USDT' }, { file: 'b.csv', symbol: 'ETH/USDT' }])).not.toThrow();
    expect(() => checkReplayMarkets([{ file: 'a.csv', symbol: 'BTC/USD' }])).not.toThrow();
  });

  it('names every file\'s symbol and quote at once, and gives the flags that replay them together', () => {
    const error = refusal([
      { file: '/data/btc-perp-20211231-20220201_1m.csv', symbol: 'BTC/USD' },
      { file: '/data/UNITTEST_BTC-1m.json', symbol: 'UNITTEST/BTC' },
    ]);
    expect(error).toMatchObject({ code: 'invalid_market', reason: 'mixed_quotes', retryable: false, symbol: 'BTC/USD,UNITTEST/BTC' });
    expect(error.message).toBe([
      'the --data files quote in different currencies (USD, BTC), but a session counts balances and PnL in one, trading.quote_currency:',
      '  /data/btc-perp-20211231-20220201_1m.csv: BTC/USD, quoted in USD',
      '  /data/UNITTEST_BTC-1m.json: UNITTEST/BTC, quoted in BTC',
      'to replay them together, label every file in one quote currency (one --symbol per --data, in order; prices are replayed as they are, not converted):',
      '  --symbol BTC/USD --symbol UNITTEST/USD --set trading.quote_currency=USD',
    ].join('\n'));
  });

  it('keeps the relabelled symbols distinct when two files share a base', () => {
    const error = refusal([
      { file: 'a.csv', symbol: 'BTC/USDT' },
      { file: 'b.csv', symbol: 'BTC/USD' },
      { file: 'c.csv', symbol: 'ABCDEFGHIJKL/USD' },
      { file: 'd.csv', symbol: 'ABCDEFGHIJKL/EUR' },
    ]);
    expect(error.message).toContain('\n  --symbol BTC/USDT --symbol BTC2/USDT --symbol ABCDEFGHIJKL/USDT --symbol ABCDEFGHIJK2/USDT --set trading.quote_currency=USDT');
    expect(error.message).toContain('(USDT, USD, EUR)');
  });

  it('refuses one market given by two files, naming both, or the same file given twice', () => {
    const two = refusal([{ file: 'a.csv', symbol: 'BTC/USDT' }, { file: 'b.csv', symbol: 'ETH/USDT' }, { file: 'c.csv', symbol: 'BTC/USDT' }]);
    expect(two).toMatchObject({ reason: 'duplicate_symbol', symbol: 'BTC/USDT' });
    expect(two.message).toBe('--data a.csv and c.csv are both BTC/USDT; expected one file per symbol: drop one, or give each its own --symbol');
    expect(refusal([{ file: 'a', symbol: 'X/Y' }, { file: 'b', symbol: 'X/Y' }, { file: 'c', symbol: 'X/Y' }]).message).toMatch(/^--data a and b and c are all X\/Y;/);
    const same = refusal([{ file: 'a.csv', symbol: 'BTC/USDT' }, { file: 'a.csv', symbol: 'BTC/USDT' }]);
    expect(same.message).toBe('--data a.csv is given twice; expected one file per symbol');
  });

  it('reports a repeated market and mixed quotes together, without relabelling flags that would not run', () => {
    const error = refusal([{ file: 'alt.json', symbol: 'UNITTEST/BTC' }, { file: 'alt.json', symbol: 'UNITTEST/BTC' }, { file: 'perp.csv', symbol: 'BTC/USD' }]);
    expect(error.reason).toBe('duplicate_symbol');
    expect(error.message.split('\n')).toEqual([
      '--data alt.json is given twice; expected one file per symbol',
      'the --data files quote in different currencies (BTC, USD), but a session counts balances and PnL in one, trading.quote_currency:',
      '  alt.json: UNITTEST/BTC, quoted in BTC',
      '  alt.json: UNITTEST/BTC, quoted in BTC',
      '  perp.csv: BTC/USD, quoted in USD',
    ]);
  });
});
