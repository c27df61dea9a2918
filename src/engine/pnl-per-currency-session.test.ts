import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import type { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { logStateRecovered } from '../store/recover-state.js';
import { StateStore } from '../store/state-store.js';
import type { FeedChoice } from './paper-setup.js';
import { PaperSession } from './paper-session.js';
import { formatPaperSummary, paperSummary, type PaperSummary } from './session-summary.js';

const available = sharedDataAvailable();
const DAY = '2022-01-02';
/** The BTC/USD minutes replayed: 2021-12-31 23:01 to 2022-01-02 05:00, the last of them a stop-loss day. */
const BTC_USD_ROWS = 1800;
const ALTCOIN_ROWS = 2000;

const signed = (d: Decimal): string => `${d.isNegative() ? '' : '+'}${d.toString()}`;

/**
 * Real candles, copied into the test's directory: BTC-PERP's first BTC_USD_ROWS minutes as BTC/USD,
 * then UNITTEST/BTC's first ALTCOIN_ROWS minutes (prices, gaps and volumes as they are) moved in
 * time to start the minute after. A data directory replays forward only, so the altcoin's own 2017
 * candles would only warm the strategy up after 2022's; moved, both markets trade on the same UTC day.
 */
function candles(dir: string): { btcUsd: string; altcoin: string } {
  const btcUsd = join(dir, 'BTC_USD-1m.csv');
  writeFileSync(btcUsd, `${readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, BTC_USD_ROWS + 1).join('\n')}\n`);
  const rows = (JSON.parse(readFileSync(ALTCOIN_JSON, 'utf8')) as number[][]).slice(0, ALTCOIN_ROWS);
  const shift = Date.UTC(2022, 0, 2, 5, 1) - (rows[0]?.[0] ?? 0);
  const altcoin = join(dir, 'UNITTEST_BTC-1m.json');
  writeFileSync(altcoin, JSON.stringify(rows.map(([ts = 0, ...ohlcv]) => [ts + shift, ...ohlcv])));
  return { btcUsd, altcoin };
}

async function runSession(dataDir: string, sessionId: string, sets: string[], feed: FeedChoice): Promise<{ summary: PaperSummary; text: string }> {
  const loaded = loadConfig({ sets });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed, speed: 'max', signals: false, watchdog: false });
  const result = await session.run();
  recorder.close();
  expect(result.reason, JSON.stringify(result)).toBe('data_end');
  const summary = paperSummary(session, result, []);
  return { summary, text: formatPaperSummary(sessionId, summary, dataDir) };
}

describe.skipIf(!available)('one data directory that traded BTC/USD, then UNITTEST/BTC (real candles)', () => {
  it('keeps USD and BTC realized PnL apart in the summary, and the BTC daily loss limit counts only BTC', async () => {
    const dir = tempDir('tradetrace-pnl-currency-');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const { btcUsd, altcoin } = candles(dir);

    // The operator holds BTC too (starting_base_balance funds BTC/USD's base on the new account).
    const first = await runSession(dataDir, 'session_20220102_050000', ['trading.quote_currency=USD', 'trading.starting_base_balance=1'], { kind: 'replay', files: [btcUsd], symbols: ['BTC/USD'] });
    const usd = first.summary;
    expect(usd.record['sells_filled']).toBeGreaterThan(0);
    // One currency reads as it always did: one PnL line, in it.
    expect(first.text).toContain(`\n  PnL          realized ${signed(usd.realized)} USD this session (total ${signed(usd.totalRealized)}), unrealized ${signed(usd.unrealized)} (at the last price, after the exit fee), fees paid ${usd.fees.toString()} in total (on this data directory)\n  positions    `);

    const second = await runSession(dataDir, 'session_20220102_060000', ['trading.quote_currency=BTC', 'execution.quote_budget=0.01'], { kind: 'replay', files: [altcoin], symbols: ['UNITTEST/BTC'] });
    const btc = second.summary;
    expect(btc.quote).toBe('BTC');
    expect(btc.record['blocked_by']).not.toHaveProperty('daily_loss_limit');
    expect(btc.record['buys_filled']).toBeGreaterThan(0);

    const store = StateStore.open({ dataDir });
    // A USD loss that day far beyond the BTC session's limit (5% of its 1 BTC: 0.05): counted as BTC, it blocked every buy that day.
    const usdLoss = store.realizedPnl('USD', DAY);
    expect(usdLoss.toNumber()).toBeLessThan(-0.05);
    const btcTotal = store.realizedPnl('BTC');
    const usdTotal = store.realizedPnl('USD');
    // The BTC figures are BTC's alone: USD's total is where it was, never added in.
    expect(btc.totalRealized.toString()).toBe(btcTotal.toString());
    expect(btc.realized.toString()).toBe(btcTotal.toString());
    expect(usdTotal.toString()).toBe(usd.totalRealized.toString());
    expect(btc.fees.toString()).toBe(store.feesPaid('BTC').toString());
    expect(usd.otherCurrencies).toEqual([]);
    expect(btc.otherCurrencies.map((o) => [o.currency, o.session.toString(), o.total.toString(), o.fees.toString()])).toEqual([['USD', '0', usdTotal.toString(), usd.fees.toString()]]);
    expect(btc.record).toMatchObject({
      quote_currency: 'BTC', realized_pnl: btcTotal.toString(), realized_pnl_total: btcTotal.toString(),
      pnl_by_currency: { BTC: { realized_pnl_total: btcTotal.toString() }, USD: { realized_pnl: '0', realized_pnl_total: usdTotal.toString() } },
    });
    // One line per currency, each in its own unit.
    expect(second.text).toContain(`\n  PnL          realized ${signed(btcTotal)} BTC this session (total ${signed(btcTotal)}), unrealized ${signed(btc.unrealized)} (at the last price, after the exit fee), fees paid ${btc.fees.toString()} in total (on this data directory)\n`);
    expect(second.text).toContain(`\n               realized +0 USD this session (total ${signed(usdTotal)}), fees paid ${usd.fees.toString()} in total: markets quoted in USD, kept apart from BTC\n  positions    `);
    // The day both traded: each currency its own row, the USD loss untouched by BTC's trades.
    expect(store.realizedPnl('USD', DAY).toString()).toBe(usdLoss.toString());
    expect(store.dailyPnl(DAY, 'BTC')?.closedTrades).toBeGreaterThan(0);
    store.close();

    // STATE_RECOVERED of the BTC session names the currency of the PnL the file held (USD's), and
    // gives no realized_pnl: the file's one figure is not the BTC session's.
    const logs = await readLogs(join(dataDir, 'logs'));
    const recovered = logs.lines.filter((l) => l.event_type === 'STATE_RECOVERED').map((l) => l as unknown as Record<string, unknown>);
    expect(recovered[0]).toMatchObject({ session_id: 'session_20220102_050000', realized_pnl: '0', realized_pnl_by_currency: {} });
    expect(recovered[1]).toMatchObject({ session_id: 'session_20220102_060000', realized_pnl_by_currency: { USD: usdTotal.toString() } });
    expect(recovered[1]).not.toHaveProperty('realized_pnl');
    // The next start holds both: each under its currency, and no realized_pnl adding them up.
    const nextLogs = join(dir, 'next-logs');
    const recorder = new Recorder({ sessionId: 'session_20220103_000000', sink: new FileSink(nextLogs) });
    const reopened = StateStore.open({ dataDir });
    logStateRecovered(reopened, recorder, 'BTC');
    reopened.close();
    recorder.close();
    const next = (await readLogs(nextLogs)).lines.find((l) => l.event_type === 'STATE_RECOVERED') as unknown as Record<string, unknown>;
    expect(next['realized_pnl_by_currency']).toEqual({ BTC: btcTotal.toString(), USD: usdTotal.toString() });
    expect(next).not.toHaveProperty('realized_pnl');
  }, 120_000);
});
