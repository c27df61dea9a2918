import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { Decimal } from '../../src/domain/decimal.js';
import type { Bar } from '../../src/market-data/bar.js';
import { openCandleFile } from '../../src/market-data/candle-file.js';
import { ReplayFeed } from '../../src/market-data/replay-feed.js';
import { SyntheticFeed } from '../../src/market-data/synthetic/synthetic-feed.js';
import { NullSink } from '../../src/recorder/line-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { EmaCrossRsiStrategy } from '../../src/strategy/ema-cross-rsi.js';
import { median } from '../median.js';

/**
 * `npx tsx bench/market-data/run.ts`: bars per second of the market data layer on the real candles,
 * against the obvious alternatives measured in the same run:
 * - our streaming CSV reader (exact Decimals, every row checked) vs reading the whole file and
 *   Decimal.parse on each field, vs the same with Number() (floats: what we must not do, the ceiling);
 * - our JSON scanner vs JSON.parse then Decimal.from(number) (goes through floats; the ceiling);
 * - the whole replay feed at --speed max (what the engine sees), the synthetic feed, the strategy.
 * Each figure is the median of RUNS runs after one warm-up run.
 */
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

interface Case {
  readonly name: string;
  readonly run: () => Promise<number> | number;
}

/**
 * Runs the cases round-robin (one run of each per round) so a busy machine slows them alike and
 * the ratios stay fair; returns each case's median bars/s.
 */
async function measure(cases: readonly Case[]): Promise<number[]> {
  for (const c of cases) await c.run();
  const rates: number[][] = cases.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, c] of cases.entries()) {
      const start = performance.now();
      const bars = await c.run();
      rates[i]?.push(bars / ((performance.now() - start) / 1000));
    }
  }
  return cases.map((c, i) => {
    const result = median(rates[i] ?? []);
    console.log(`${c.name.padEnd(60)} ${Math.round(result).toLocaleString('en-US').padStart(12)} bars/s`);
    return result;
  });
}

async function readerBars(path: string): Promise<number> {
  let n = 0;
  for await (const batch of (await openCandleFile(path)).bars()) n += batch.length;
  return n;
}

async function naiveCsv(toValue: (text: string) => unknown): Promise<number> {
  const lines = (await readFile(BTC_PERP_CSV, 'utf8')).split('\n').slice(1);
  const out: unknown[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const c = line.split(',');
    out.push({ t: Date.parse(`${(c[0] ?? '').replace(' ', 'T')}Z`), o: toValue(c[1] ?? ''), h: toValue(c[2] ?? ''), l: toValue(c[3] ?? ''), cl: toValue(c[4] ?? ''), v: toValue(c[5] ?? '') });
  }
  return out.length;
}

async function jsonParse(toValue: (n: number) => unknown): Promise<number> {
  const rows = JSON.parse(await readFile(ALTCOIN_JSON, 'utf8')) as number[][];
  return rows.map((r) => ({ t: r[0], o: toValue(r[1] ?? 0), h: toValue(r[2] ?? 0), l: toValue(r[3] ?? 0), c: toValue(r[4] ?? 0), v: toValue(r[5] ?? 0) })).length;
}

async function main(): Promise<void> {
  if (!sharedDataAvailable()) return;
  console.log(`market data bench: ${RUNS} runs each (median), node ${process.version}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('\nCSV, BTC-PERP month (45,031 rows)');
  const [ours = 0, naive = 0, float = 0] = await measure([
    { name: 'tradetrace CSV reader (streaming, Decimal, every row checked)', run: () => readerBars(BTC_PERP_CSV) },
    { name: 'readFile + split + Decimal.parse + Date.parse (unchecked)', run: () => naiveCsv((t) => Decimal.parse(t)) },
    { name: 'readFile + split + Number + Date.parse (floats: not allowed)', run: () => naiveCsv(Number) },
  ]);
  console.log(`  ours / Decimal.parse: ${(ours / naive).toFixed(2)}x   ours / floats: ${(ours / float).toFixed(2)}x`);

  console.log('\nJSON, altcoin (13,681 rows)');
  const [oursJson = 0, viaFloat = 0, floatJson = 0] = await measure([
    { name: 'tradetrace JSON scanner (Decimal from the text, checked)', run: () => readerBars(ALTCOIN_JSON) },
    { name: 'JSON.parse + Decimal.from(number) (through floats)', run: () => jsonParse((n) => Decimal.from(n)) },
    { name: 'JSON.parse, floats only (not allowed)', run: () => jsonParse((n) => n) },
  ]);
  console.log(`  ours / JSON.parse+Decimal: ${(oursJson / viaFloat).toFixed(2)}x   ours / floats: ${(oursJson / floatJson).toFixed(2)}x`);

  console.log('\nwhat the engine sees (consumer does nothing; recorder on a no-op sink)');
  const recorder = new Recorder({ sessionId: 'session_20240101_000000', sink: new NullSink() });
  const bars: Bar[] = [];
  for await (const batch of (await openCandleFile(BTC_PERP_CSV)).bars()) bars.push(...batch);
  const replay = (preflight: boolean, strategy: boolean) => async () => {
    const feed = await ReplayFeed.open({ files: [BTC_PERP_CSV], speed: 'max', recorder, preflight });
    const s = new EmaCrossRsiStrategy();
    let n = 0;
    await feed.start(strategy ? (bar) => void (s.onBar(bar), n++) : () => void n++);
    return n;
  };
  await measure([
    { name: 'ReplayFeed BTC-PERP, speed max, no preflight', run: replay(false, false) },
    { name: 'ReplayFeed BTC-PERP, speed max, with preflight (default)', run: replay(true, false) },
    { name: 'ReplayFeed (no preflight) + EmaCrossRsiStrategy.onBar', run: replay(false, true) },
    {
      name: 'SyntheticFeed BTC/USDT, 45,000 bars, speed max',
      run: async () => {
        const feed = new SyntheticFeed({ symbols: ['BTC/USDT'], seed: 1, speed: 'max', recorder, maxBars: 45_000, startTime: Date.UTC(2024, 0, 1) });
        let n = 0;
        await feed.start(() => void n++);
        return n;
      },
    },
    {
      name: 'EmaCrossRsiStrategy.onBar alone, bars in memory',
      run: () => {
        const strategy = new EmaCrossRsiStrategy();
        for (const bar of bars) strategy.onBar(bar);
        return bars.length;
      },
    },
  ]);
  console.log('\nthe engine target is 150,000 bars/s end to end; the feed and strategy are its parts.');
}

await main();
