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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function rate(name: string, run: () => Promise<number> | number): Promise<number> {
  await run();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const bars = await run();
    rates.push(bars / ((performance.now() - start) / 1000));
  }
  const result = median(rates);
  console.log(`${name.padEnd(58)} ${Math.round(result).toLocaleString('en-US').padStart(12)} bars/s`);
  return result;
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
  const ours = await rate('tradetrace CSV reader (streaming, Decimal, checked)', () => readerBars(BTC_PERP_CSV));
  const naive = await rate('readFile + split + Decimal.parse (unchecked)', () => naiveCsv((t) => Decimal.parse(t)));
  const float = await rate('readFile + split + Number (floats; not allowed)', () => naiveCsv(Number));
  console.log(`  ours / Decimal.parse: ${(ours / naive).toFixed(2)}x   ours / floats: ${(ours / float).toFixed(2)}x`);

  console.log('\nJSON, altcoin (13,681 rows)');
  const oursJson = await rate('tradetrace JSON scanner (Decimal from the text)', () => readerBars(ALTCOIN_JSON));
  const viaFloat = await rate('JSON.parse + Decimal.from(number) (through floats)', () => jsonParse((n) => Decimal.from(n)));
  const floatJson = await rate('JSON.parse, floats only (not allowed)', () => jsonParse((n) => n));
  console.log(`  ours / JSON.parse+Decimal: ${(oursJson / viaFloat).toFixed(2)}x   ours / floats: ${(oursJson / floatJson).toFixed(2)}x`);

  console.log('\nwhat the engine sees');
  const recorder = new Recorder({ sessionId: 'session_20240101_000000', sink: new NullSink() });
  await rate('ReplayFeed BTC-PERP, speed max, no preflight', async () => {
    const feed = await ReplayFeed.open({ files: [BTC_PERP_CSV], speed: 'max', recorder, preflight: false });
    let n = 0;
    await feed.start(() => void n++);
    return n;
  });
  await rate('ReplayFeed BTC-PERP, speed max, with preflight (default)', async () => {
    const feed = await ReplayFeed.open({ files: [BTC_PERP_CSV], speed: 'max', recorder });
    let n = 0;
    await feed.start(() => void n++);
    return n;
  });
  await rate('SyntheticFeed BTC/USDT, 45,000 bars, speed max', async () => {
    const feed = new SyntheticFeed({ symbols: ['BTC/USDT'], seed: 1, speed: 'max', recorder, maxBars: 45_000, startTime: Date.UTC(2024, 0, 1) });
    let n = 0;
    await feed.start(() => void n++);
    return n;
  });
  const bars: Bar[] = [];
  for await (const batch of (await openCandleFile(BTC_PERP_CSV)).bars()) bars.push(...batch);
  await rate('EmaCrossRsiStrategy.onBar over the BTC month', () => {
    const strategy = new EmaCrossRsiStrategy();
    for (const bar of bars) strategy.onBar(bar);
    return bars.length;
  });
  console.log('\nthe engine target is 150,000 bars/s end to end; the feed and strategy are its parts.');
}

await main();
