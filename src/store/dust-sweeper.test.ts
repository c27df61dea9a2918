import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { waitUntil } from '../../test/support/wait-until.js';
import { Decimal } from '../domain/decimal.js';
import { marketRules, type MarketRules } from '../domain/market-rules.js';
import { FileSink } from '../recorder/file-sink.js';
import { parseLine } from '../recorder/line-parser.js';
import { Recorder } from '../recorder/recorder.js';
import { DustSweeper, type Dust, type SweepResult } from './dust-sweeper.js';
import { StateStore } from './state-store.js';

const d = (text: string): Decimal => Decimal.parse(text);

function rules(base: string, minNotional: string): MarketRules {
  const result = marketRules({ baseAsset: base, quoteAsset: 'USDT', tickSize: '0.01', lotSize: '0.0001', minQty: '0.0001', minNotional, makerFeeRate: '0.001', takerFeeRate: '0.001' });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function setup() {
  const dir = tempDir();
  const store = StateStore.open({ dataDir: dir });
  const recorder = new Recorder({ sessionId: 'session_20220103_100000', sink: new FileSink(join(dir, 'logs')) });
  const prices = new Map([['BTC/USDT', d('40000')], ['ETH/USDT', d('3000')], ['SOL/USDT', d('100')]]);
  const markets = [rules('BTC', '10'), rules('ETH', '10'), rules('SOL', '10')];
  const systemLines = () => readFileSync(join(dir, 'logs', 'system.jsonl'), 'utf8').trim().split('\n').map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const line: Record<string, unknown> = parsed.value;
    return line;
  });
  return { store, recorder, prices, markets, systemLines };
}

describe('DustSweeper', () => {
  it('logs balances worth less than min notional once per amount, leaving what a position holds alone', async () => {
    const { store, recorder, prices, markets, systemLines } = setup();
    // BTC: 0.0002 x 40000 = 8 < 10 (dust); ETH: 1 x 3000 (not dust); SOL: 0.05 x 100 = 5, but held by a position
    store.setBalances({ USDT: d('100'), BTC: d('0.0002'), ETH: d('1'), SOL: d('0.05') });
    let beats = 0;
    const sweeper = new DustSweeper({
      recorder, markets: () => markets, balances: () => store.balances(), price: (s) => prices.get(s),
      heldQty: (symbol) => (symbol === 'SOL/USDT' ? d('0.05') : Decimal.ZERO), intervalMs: 1000, beat: () => beats++,
    });
    const first = await sweeper.runOnce();
    expect(first.map((x) => [x.asset, x.notional.toString()])).toEqual([['BTC', '8']]);
    await sweeper.runOnce();
    store.setBalances({ BTC: d('0.00021') });
    await sweeper.runOnce();
    recorder.close();
    const found = systemLines().filter((l) => l['event_type'] === 'DUST_FOUND');
    expect(found.map((l) => [l['asset'], l['amount'], l['notional'], l['min_notional'], l['action']])).toEqual([['BTC', 0.0002, 8, 10, 'log_only'], ['BTC', 0.00021, 8.4, 10, 'log_only']]);
    expect(beats).toBe(3);
    store.close();
  });

  it('sweeps dust where configured, and retries a failed sweep on the next pass', async () => {
    const { store, recorder, prices, markets, systemLines } = setup();
    store.setBalances({ BTC: d('0.0001'), ETH: d('0.001') });
    const outcomes: SweepResult[] = [{ ok: false, error: { message: 'exchange refused: below min notional' } }, { ok: true, value: { details: 'converted to BNB' } }];
    const swept: Dust[] = [];
    const sweeper = new DustSweeper({
      recorder, markets: () => markets, balances: () => store.balances(), price: (s) => prices.get(s), intervalMs: 1000, beat: () => undefined,
      sweep: (dust) => {
        swept.push(dust);
        if (dust.asset === 'ETH') return Promise.resolve({ ok: true, value: { details: 'converted to BNB' } });
        return Promise.resolve(outcomes.shift() ?? { ok: false, error: { message: 'no more' } });
      },
    });
    await sweeper.runOnce();
    await sweeper.runOnce();
    recorder.close();
    expect(swept.map((x) => x.asset)).toEqual(['BTC', 'ETH', 'BTC', 'ETH']);
    const events = systemLines().map((l) => `${String(l['event_type'])} ${String(l['asset'])}`);
    expect(events).toEqual(['DUST_FOUND BTC', 'DUST_SWEEP_FAILED BTC', 'DUST_FOUND ETH', 'DUST_SWEPT ETH', 'DUST_SWEPT BTC', 'DUST_FOUND ETH', 'DUST_SWEPT ETH']);
    store.close();
  });

  it('runs as a loop that beats every pass and stops cleanly', async () => {
    const { store, recorder, prices, markets } = setup();
    let beats = 0;
    const sweeper = new DustSweeper({ recorder, markets: () => markets, balances: () => store.balances(), price: (s) => prices.get(s), intervalMs: 5, beat: () => beats++ });
    expect(sweeper.name).toBe('DustSweeper');
    sweeper.start();
    // Until three passes ran, not a fixed 60 ms: a loaded machine may run only two in that time.
    await waitUntil('three passes', () => beats >= 3);
    await sweeper.stop();
    const after = beats;
    expect(after).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(beats).toBe(after);
    recorder.close();
    store.close();
  });

  it('logs a pass that throws as ERROR and keeps running', async () => {
    const { store, recorder, prices, markets, systemLines } = setup();
    let calls = 0;
    const sweeper = new DustSweeper({
      recorder, markets: () => markets, price: (s) => prices.get(s), intervalMs: 5, beat: () => undefined,
      balances: () => { calls++; if (calls === 1) throw new Error('balances unavailable'); return store.balances(); },
    });
    sweeper.start();
    await waitUntil('a pass after the one that threw', () => calls > 1);
    await sweeper.stop();
    recorder.close();
    expect(calls).toBeGreaterThan(1);
    expect(systemLines()[0]).toMatchObject({ event_type: 'ERROR', error_code: 'dust_sweep_failed', component: 'DustSweeper', message: 'balances unavailable' });
    store.close();
  });
});
