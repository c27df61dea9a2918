import { RSI, WSMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { loadBars } from '../../../test/support/load-bars.js';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { SteadyWsma } from './steady-wsma.js';

async function closes(): Promise<number[]> {
  return (await loadBars(BTC_PERP_CSV)).map((bar) => bar.close.toNumber());
}

describe.skipIf(!sharedDataAvailable())('SteadyWsma on the BTC month', () => {
  it('gives bit-identical values to the library WSMA, and so does an RSI smoothed by it', async () => {
    const prices = await closes();
    for (const period of [2, 14, 50]) {
      const ours = new SteadyWsma(period);
      const library = new WSMA(period);
      const oursRsi = new RSI(period, SteadyWsma);
      const libraryRsi = new RSI(period);
      for (const price of prices) {
        expect(Object.is(ours.add(price), library.add(price))).toBe(true);
        expect(Object.is(oursRsi.add(price), libraryRsi.add(price))).toBe(true);
      }
      expect(ours.isStable).toBe(true);
    }
  });

  it('still honours replace (the last input corrected) as the library does', () => {
    const ours = new SteadyWsma(3);
    const library = new WSMA(3);
    for (const [price, replace] of [[10, false], [11, false], [12, false], [13, false], [12.5, true], [14, false], [13.5, true]] as const) {
      expect(ours.update(price, replace)).toBe(library.update(price, replace));
    }
  });
});
