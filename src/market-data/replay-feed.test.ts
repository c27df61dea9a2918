import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { systemRecording } from './__fixtures__/system-recording.js';
import type { Bar } from './bar.js';
import { CandleFileError } from './candle-file-error.js';
import { FeedAlreadyStartedError } from './feed-loop.js';
import { ReplayFeed, type ReplayFeedOptions } from './replay-feed.js';
import { StalenessTracker } from './staleness-tracker.js';

const hasData = sharedDataAvailable();

async function replay(options: Omit<ReplayFeedOptions, 'recorder'>, onBar?: (bar: Bar, feed: ReplayFeed) => void) {
  const rec = systemRecording(tempDir());
  const feed = await ReplayFeed.open({ ...options, recorder: rec.recorder });
  const bars: Bar[] = [];
  const reason = await feed.start((bar) => {
    bars.push(bar);
    onBar?.(bar, feed);
  });
  return { reason, bars, feed, lines: rec.lines() };
}

describe.skipIf(!hasData)('ReplayFeed', () => {
  it('replays the BTC month at max speed and says data_end', async () => {
    const { reason, bars, feed, lines } = await replay({ files: [BTC_PERP_CSV], speed: 'max' });
    expect(reason).toBe('data_end');
    expect(bars).toHaveLength(45_031);
    expect(feed.symbols).toEqual(['BTC-PERP']);
    expect(feed.now()).toBe(Date.UTC(2022, 1, 1, 5, 32));
    expect(lines.map((l) => l.event_type)).toEqual(['FEED_START', 'FEED_END']);
    expect(lines[0]).toMatchObject({ kind: 'replay', speed: 'max', bars_expected: 45_031, first_bar_ts: '2021-12-31T23:01:00.000Z' });
    expect(lines[1]).toMatchObject({ reason: 'data_end', bars: 45_031, gaps: 0 });
  });

  it('fingerprints each file in FEED_START (bytes, sha256), so two sessions replaying one path on different data differ there', async () => {
    const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
    const { lines } = await replay({ files: [BTC_PERP_CSV, ALTCOIN_JSON], speed: 'max', symbols: ['BTC/USD', 'UNITTEST/BTC'] });
    expect(lines[0]).toMatchObject({
      event_type: 'FEED_START',
      sources: [BTC_PERP_CSV, ALTCOIN_JSON],
      fingerprints: [
        { source: BTC_PERP_CSV, bytes: 3_220_342, sha256: sha256(BTC_PERP_CSV) },
        { source: ALTCOIN_JSON, bytes: 1_037_421, sha256: sha256(ALTCOIN_JSON) },
      ],
    });
    // The same path, one price changed: same source, another fingerprint.
    const path = join(tempDir(), 'BTC_USD-1m.csv');
    writeFileSync(path, readFileSync(BTC_PERP_CSV, 'utf8').replace('46377.0,2300413.7295', '46378.0,2300413.7295'));
    const changed = (await replay({ files: [path], speed: 'max' })).lines[0]?.['fingerprints'];
    expect(changed).toMatchObject([{ source: path, bytes: 3_220_342, sha256: sha256(path) }]);
    expect(sha256(path)).not.toBe(sha256(BTC_PERP_CSV));
  });

  it('reports every gap of the altcoin file as DATA_GAP, never filling it', async () => {
    const { bars, lines } = await replay({ files: [ALTCOIN_JSON], speed: 'max' });
    expect(bars).toHaveLength(13_681);
    const gaps = lines.filter((l) => l.event_type === 'DATA_GAP');
    expect(gaps).toHaveLength(538);
    expect(gaps.reduce((n, g) => n + (g['missing_bars'] as number), 0)).toBe(717);
    // The first hole: bars at 23:07 and 23:14, so 23:08..23:13 (6 bars) are missing.
    expect(gaps[0]).toMatchObject({ symbol: 'UNITTEST/BTC', from: '2017-11-04T23:08:00.000Z', to: '2017-11-04T23:13:00.000Z', missing_bars: 6, interval_s: 60 });
    const byTime = new Set(bars.map((b) => b.openTime));
    expect(byTime.has(Date.parse('2017-11-04T23:07:00Z')) && byTime.has(Date.parse('2017-11-04T23:14:00Z'))).toBe(true);
    // The file is one line: each gap names the row (1-based) where the data resumes, as its errors do.
    const resumedRow = bars.findIndex((b) => b.openTime === Date.parse('2017-11-04T23:14:00Z')) + 1;
    expect(gaps[0]?.['source']).toBe(`${ALTCOIN_JSON}:1 (row ${resumedRow})`);
    const rows = gaps.map((g) => /^.+:1 \(row (\d+)\)$/.exec(String(g['source']))?.[1]).map(Number);
    expect(rows.every((row, i) => i === 0 || row > (rows[i - 1] ?? Infinity))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event_type: 'FEED_END', reason: 'data_end', gaps: 538, missing_bars: 717 });
  });

  it('stops after the bar in hand when stop() is called', async () => {
    const { reason, bars, lines } = await replay({ files: [BTC_PERP_CSV], speed: 'max' }, (_bar, feed) => {
      if (_bar.openTime === Date.UTC(2022, 0, 1, 0, 0)) feed.stop();
    });
    expect(reason).toBe('stopped');
    expect(bars.at(-1)?.openTime).toBe(Date.UTC(2022, 0, 1, 0, 0));
    expect(lines.at(-1)).toMatchObject({ reason: 'stopped', bars: bars.length });
  });

  it('fails a corrupt file before delivering any bar (preflight), with FEED_END error', async () => {
    const text = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
    text[40_000] = (text[40_000] ?? '').replace(/,[\d.]+$/, ',lots');
    const path = join(tempDir(), 'btc-perp-1m.csv');
    writeFileSync(path, text.join('\n'));
    const rec = systemRecording(tempDir());
    const feed = await ReplayFeed.open({ files: [path], speed: 'max', recorder: rec.recorder });
    let delivered = 0;
    const error = await feed.start(() => void delivered++).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleFileError);
    expect(error).toMatchObject({ code: 'bad_value', line: 40_001, column: 'volume', value: 'lots' });
    expect(delivered).toBe(0);
    expect(rec.lines().at(-1)).toMatchObject({ event_type: 'FEED_END', reason: 'error', error_code: 'bad_value', level: 'error' });
  });

  it('without preflight, delivers the good rows and then fails at the bad line', async () => {
    const text = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 101);
    text[100] = (text[100] ?? '').replace('2022', '2O22');
    const path = join(tempDir(), 'btc-perp-1m.csv');
    writeFileSync(path, text.join('\n'));
    const rec = systemRecording(tempDir());
    const feed = await ReplayFeed.open({ files: [path], speed: 'max', recorder: rec.recorder, preflight: false });
    let delivered = 0;
    await expect(feed.start(() => void delivered++)).rejects.toMatchObject({ code: 'bad_value', line: 101, column: 'timestamp' });
    expect(delivered).toBe(99);
  });

  it('merges several files by time and keeps each symbol', async () => {
    const { bars } = await replay({ files: [BTC_PERP_CSV, ALTCOIN_JSON], speed: 'max', preflight: false });
    expect(bars).toHaveLength(45_031 + 13_681);
    expect(bars.slice(0, 13_681).every((b) => b.symbol === 'UNITTEST/BTC')).toBe(true);
    expect(bars.every((b, i) => i === 0 || b.openTime >= (bars[i - 1]?.openTime ?? 0))).toBe(true);
  });

  it('refuses two files of one symbol', async () => {
    const rec = systemRecording(tempDir());
    await expect(ReplayFeed.open({ files: [BTC_PERP_CSV, BTC_PERP_CSV], speed: 'max', recorder: rec.recorder })).rejects.toMatchObject({ code: 'bad_symbol' });
  });

  it('at max speed still lets timers run during the replay', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await replay({ files: [BTC_PERP_CSV], speed: 'max', preflight: false });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it('paces by the bar interval divided by the speed', async () => {
    const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 5);
    const path = join(tempDir(), 'btc-perp-1m.csv');
    writeFileSync(path, lines.join('\n') + '\n');
    // 60 s bars at 1200x: one bar every 50 ms; the first goes at once, 3 more follow.
    const started = performance.now();
    const times: number[] = [];
    await replay({ files: [path], speed: 1200 }, () => times.push(performance.now() - started));
    expect(times).toHaveLength(4);
    expect(times.at(-1)).toBeGreaterThanOrEqual(145);
    expect(times.at(-1)).toBeLessThan(1000);
  });

  it('feeds staleness: a symbol with a hole goes stale on the feed clock while another runs on', async () => {
    const rec = systemRecording(tempDir());
    const staleness = new StalenessTracker({ thresholdMs: 3 * 60_000, intervalMs: 60_000, recorder: rec.recorder });
    const feed = await ReplayFeed.open({ files: [BTC_PERP_CSV, ALTCOIN_JSON], symbols: ['BTC-PERP', 'ALT/BTC'], speed: 'max', recorder: rec.recorder, staleness, preflight: false });
    await feed.start(() => {});
    const events = rec.lines();
    // The altcoin data ends in 2017 while BTC runs to 2022: it goes stale once, and never resumes.
    const stale = events.filter((l) => l.event_type === 'DATA_STALE');
    expect(stale.map((l) => l['symbol'])).toEqual(['ALT/BTC']);
    expect(stale.find((l) => l['symbol'] === 'ALT/BTC')).toMatchObject({ last_bar_ts: '2017-11-14T22:59:00.000Z', threshold_ms: 180_000 });
    expect(staleness.isStale('ALT/BTC', feed.now())).toBe(true);
    expect(staleness.isStale('BTC-PERP', feed.now())).toBe(false);
  });

  it('while paced, the time a bar takes to handle (an order awaited) or a late timer does not age the bars after it', async () => {
    const rows = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 31);
    const dir = tempDir();
    const files = ['AAA_USD-1m.csv', 'BBB_USD-1m.csv'].map((name) => join(dir, name));
    for (const file of files) writeFileSync(file, `${rows.join('\n')}\n`);
    const rec = systemRecording(tempDir());
    const staleness = new StalenessTracker({ thresholdMs: 2 * 60_000, intervalMs: 60_000, recorder: rec.recorder });
    // 20000x: 3 ms of wall time per bar; AAA's bars each take 20 ms to handle, 400 s of market time.
    const feed = await ReplayFeed.open({ files, speed: 20_000, recorder: rec.recorder, staleness });
    const agesOfB: number[] = [];
    await feed.start((bar) => {
      if (bar.symbol === 'BBB/USD') {
        agesOfB.push(staleness.ageMs('BBB/USD', feed.now()) ?? Number.NaN);
        return undefined;
      }
      return new Promise<void>((resolve) => setTimeout(resolve, 20));
    });
    expect(agesOfB).toHaveLength(30);
    // Each BBB bar is the one just delivered: fresh on the feed's clock, whatever AAA's handling or
    // a late timer cost in wall time (a millisecond is 20 s of market time here).
    expect(Math.max(...agesOfB)).toBe(0);
    expect(rec.lines().filter((l) => l.event_type === "DATA_STALE").map((l) => [l["symbol"], l["age_ms"], l["last_bar_ts"]])).toEqual([]);
  });

  it('while paced, a hole in the data makes the symbol stale before the next bar arrives', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const rows = [0, 1, 2, 13, 14].map((m) => `[${t0 + m * 60_000}, 1.5, 2, 1, 1.5, 10]`);
    const path = join(tempDir(), 'GAP_USD-1m.json');
    writeFileSync(path, `[${rows.join(',')}]`);
    const rec = systemRecording(tempDir());
    const staleness = new StalenessTracker({ thresholdMs: 3 * 60_000, intervalMs: 60_000, recorder: rec.recorder });
    // 60 s bars at 6000x: 10 ms a bar, so the 10-bar hole lasts ~100 ms of wall time.
    const feed = await ReplayFeed.open({ files: [path], speed: 6000, recorder: rec.recorder, staleness });
    await feed.start(() => {});
    const events = rec.lines().map((l) => l.event_type);
    // The gap is reported as the wait for the bar after it begins; the symbol goes stale during it.
    expect(events).toEqual(['FEED_START', 'DATA_GAP', 'DATA_STALE', 'DATA_RESUMED', 'FEED_END']);
    expect(rec.lines()[2]).toMatchObject({ symbol: 'GAP/USD', last_bar_ts: '2024-01-01T00:02:00.000Z' });
  });

  it('names the file and line of the first bar after each gap in DATA_GAP source (CSV and multi-line JSON)', async () => {
    const t0 = Date.UTC(2024, 0, 1);
    const csv = join(tempDir(), 'AAA_USD-1m.csv');
    const csvRow = (m: number) => `${new Date(t0 + m * 60_000).toISOString()},1.5,2,1,1.5,10`;
    writeFileSync(csv, ['time,open,high,low,close,volume', ...[0, 1, 5, 6, 9].map(csvRow)].join('\r\n') + '\r\n');
    const json = join(tempDir(), 'BBB_USD-1m.json');
    const jsonRow = (m: number) => `  [${t0 + m * 60_000}, 1.5, 2, 1, 1.5, 10]`;
    writeFileSync(json, `[\n${[0, 3].map(jsonRow).join(',\n')},\n\n${[4, 8].map(jsonRow).join(', ')}\n]\n`);
    const { lines } = await replay({ files: [csv, json], speed: 'max' });
    const gaps = lines.filter((l) => l.event_type === 'DATA_GAP').map((l) => [l['symbol'], l['from'], l['source']]);
    expect(gaps).toEqual([
      ['BBB/USD', '2024-01-01T00:01:00.000Z', `${json}:3 (row 2)`],
      ['AAA/USD', '2024-01-01T00:02:00.000Z', `${csv}:4`],
      // Each gap is reported when the bar after it is delivered: BBB's minute 8 before AAA's minute 9.
      ['BBB/USD', '2024-01-01T00:05:00.000Z', `${json}:5 (row 4)`],
      ['AAA/USD', '2024-01-01T00:07:00.000Z', `${csv}:6`],
    ]);
  });

  it('ends with FEED_END error when the consumer throws, and can be started only once', async () => {
    const rec = systemRecording(tempDir());
    const feed = await ReplayFeed.open({ files: [ALTCOIN_JSON], speed: 'max', recorder: rec.recorder, preflight: false });
    let seen = 0;
    const boom = Object.assign(new Error('engine broke'), { code: 'engine_failure' });
    await expect(
      feed.start(async () => {
        await Promise.resolve();
        if (++seen === 10) throw boom;
      }),
    ).rejects.toBe(boom);
    expect(rec.lines().at(-1)).toMatchObject({ event_type: 'FEED_END', reason: 'error', bars: 9, error_code: 'engine_failure', message: 'engine broke' });
    await expect(feed.start(() => {})).rejects.toBeInstanceOf(FeedAlreadyStartedError);
  });
});
