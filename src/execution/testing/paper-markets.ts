import type { Candle } from '../../domain/candle.js';
import { Decimal } from '../../domain/decimal.js';
import { marketRulesOrThrow, type MarketRules } from '../../domain/market-rules.js';
import type { FaultOptions } from '../paper/fault-injector.js';
import type { FillModelOptions } from '../paper/fill-model.js';
import { PaperExchange } from '../paper/paper-exchange.js';
import { readCsvCandles, readJsonCandles } from './candle-files.js';

/** BTC-PERP of shared/data: prices near 40,000 USD, volume counted in USD. */
export const BTC_USD: MarketRules = marketRulesOrThrow({
  baseAsset: 'BTC', quoteAsset: 'USD', tickSize: '0.5', lotSize: '0.0001', minQty: '0.0001',
  minNotional: '5', makerFeeRate: '0.0002', takerFeeRate: '0.0007',
});

/** The altcoin of shared/data: prices near 0.0016 BTC, whole-unit lots, the classic 0.001 BTC minimum. */
export const ALT_BTC: MarketRules = marketRulesOrThrow({
  baseAsset: 'UNITTEST', quoteAsset: 'BTC', tickSize: '0.00000001', lotSize: '1', minQty: '1',
  minNotional: '0.001', makerFeeRate: '0.001', takerFeeRate: '0.001',
});

export interface RealMarket {
  readonly rules: MarketRules;
  readonly candleVolumeIn: 'base' | 'quote';
  readonly candles: readonly Candle[];
  readonly balances: Readonly<Record<string, Decimal>>;
}

/** Both real markets, from the files named in test/support/shared-data.ts (passed in, so src never imports test/). */
export function loadRealMarkets(btcCsv: string, altJson: string, limit = 2_000): { btc: RealMarket; alt: RealMarket } {
  return {
    btc: {
      rules: BTC_USD, candleVolumeIn: 'quote', candles: readCsvCandles(btcCsv, limit),
      balances: { USD: Decimal.parse('100000'), BTC: Decimal.parse('2') },
    },
    alt: {
      rules: ALT_BTC, candleVolumeIn: 'base', candles: readJsonCandles(altJson, limit),
      balances: { BTC: Decimal.parse('1'), UNITTEST: Decimal.parse('10000') },
    },
  };
}

export interface PaperSetup {
  readonly faults?: FaultOptions;
  readonly fillModel?: Partial<FillModelOptions>;
  readonly balances?: Readonly<Record<string, Decimal>>;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A paper exchange on one real market, fed its candles up to and including `candles[at]`. */
export function paperOn(market: RealMarket, at: number, setup: PaperSetup = {}): PaperExchange {
  const exchange = new PaperExchange({
    markets: [{ rules: market.rules, candleVolumeIn: market.candleVolumeIn }],
    balances: setup.balances ?? market.balances,
    ...(setup.faults ? { faults: setup.faults } : {}),
    ...(setup.fillModel ? { fillModel: setup.fillModel } : {}),
    ...(setup.sleep ? { sleep: setup.sleep } : {}),
  });
  for (let i = Math.max(0, at - 5); i <= at; i++) {
    const candle = market.candles[i];
    if (!candle) throw new RangeError(`candle ${i} of ${market.rules.symbol} not loaded`);
    exchange.onCandle(market.rules.symbol, candle);
  }
  return exchange;
}

export function candleAt(market: RealMarket, index: number): Candle {
  const candle = market.candles[index];
  if (!candle) throw new RangeError(`candle ${index} of ${market.rules.symbol} not loaded`);
  return candle;
}
