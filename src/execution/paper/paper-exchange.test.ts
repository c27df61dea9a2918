import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { Decimal } from '../../domain/decimal.js';
import { runExchangeContract } from '../exchange-contract.js';
import { candleAt, loadRealMarkets, paperOn, type RealMarket } from '../testing/paper-markets.js';

const available = sharedDataAvailable();
const markets = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON) : null;

function contractFor(name: string, market: () => RealMarket, at: number): void {
  let ids = 0;
  runExchangeContract(`paper ${name} from candle ${at}`, () => {
    const m = market();
    const exchange = paperOn(m, at);
    const candle = candleAt(m, at);
    return Promise.resolve({
      exchange,
      symbol: m.rules.symbol,
      restingBuyPx: () => Promise.resolve(candle.low.div(Decimal.parse('2'), 18, 'down').quantize(m.rules.tickSize, 'down')),
      marketableBuyPx: () => Promise.resolve(candle.close.mul(Decimal.parse('1.01')).quantize(m.rules.tickSize, 'up')),
      newClientOrderId: (label: string) => `ct_${label}_${++ids}`,
    });
  });
}

describe.runIf(available)('PaperExchange on BTC-PERP candles (~40,000 USD)', () => {
  contractFor('BTC/USD', () => markets!.btc, 100);
});

describe.runIf(available)('PaperExchange on the altcoin candles (~0.0016 BTC)', () => {
  contractFor('UNITTEST/BTC', () => markets!.alt, 100);
});
