import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { systemRecording } from './__fixtures__/system-recording.js';
import type { Recorder } from '../recorder/recorder.js';
import { ShutdownCoordinator } from '../runtime/shutdown-coordinator.js';
import type { Bar } from './bar.js';
import { ReplayFeed } from './replay-feed.js';
import { StalenessTracker } from './staleness-tracker.js';

const hasData = sharedDataAvailable();
const MINUTE = 60_000;

/**
 * The BTC-PERP candles with a hole cut out: the file's first `before` bars, then its bars from
 * line `resumeLine` on (`after` of them). Lines 1001 and 10001 are 2022-01-01 15:40 and
 * 2022-01-07 21:40: 8999 minutes missing between them.
 */
function gapFile(before: number, resumeLine: number, after: number): { path: string; lastBefore: number; firstAfter: number } {
  const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
  const kept = [lines[0], ...lines.slice(1, 1 + before), ...lines.slice(resumeLine - 1, resumeLine - 1 + after)];
  const path = join(tempDir(), 'btc-perp-gap_1m.csv');
  writeFileSync(path, kept.join('\n') + '\n');
  const openOf = (line: string | undefined): number => Date.parse(`${(line ?? '').split(',')[0]?.replace(' ', 'T')}Z`);
  return { path, lastBefore: openOf(lines[before]), firstAfter: openOf(lines[resumeLine - 1]) };
}

/**
 * The session's two per-bar loops on a real coordinator, beaten as the trading engine beats them
 * (MarketDataLoop as a bar arrives, DecisionLoop once it is decided), and the feed's wait beating
 * both as the session wires `whileWaiting`. `sample()` reads the heartbeat the watchdog would write.
 */
function sessionLoops(recorder: Recorder, periodMs: number) {
  const coordinator = new ShutdownCoordinator({ recorder, logsDir: tempDir(), watchdog: false, exit: () => undefined, stallFactor: 3 });
  const marketData = coordinator.registerLoop({ name: 'MarketDataLoop', daemon: false, periodMs });
  const decision = coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs });
  const samples: Array<{ at: number; threads: Array<{ name: string; alive: boolean; last_beat_age_s: number | null }> }> = [];
  return {
    samples,
    sample: () => samples.push({ at: performance.now(), threads: coordinator.heartbeat().registered_threads }),
    onBarStarted: () => marketData.beat(),
    onBarDecided: () => decision.beat(),
    whileWaiting: () => {
      marketData.beat();
      decision.beat();
    },
  };
}

describe.skipIf(!hasData)('a paced replay waiting through a gap in the candles', () => {
  it('keeps MarketDataLoop and DecisionLoop beating: no heartbeat reads the wait as a stall', async () => {
    // 8999 missing minutes at 150000x: a 3.6 s wait, more than twice the 1.5 s stall threshold
    // (3 periods of 500 ms); on the old feed both loops read stalled from 1.5 s into it.
    const { path } = gapFile(30, 10_001, 5);
    const rec = systemRecording(tempDir());
    const loops = sessionLoops(rec.recorder, 500);
    const staleness = new StalenessTracker({ thresholdMs: 5 * MINUTE, intervalMs: MINUTE, recorder: rec.recorder });
    const feed = await ReplayFeed.open({ files: [path], symbols: ['BTC/USD'], speed: 150_000, recorder: rec.recorder, staleness, whileWaiting: loops.whileWaiting });
    const sampler = setInterval(loops.sample, 100);
    try {
      await feed.start(() => {
        loops.onBarStarted();
        loops.onBarDecided();
      });
    } finally {
      clearInterval(sampler);
    }
    const span = (loops.samples.at(-1)?.at ?? 0) - (loops.samples[0]?.at ?? 0);
    expect(span, 'the samples cover the wait').toBeGreaterThan(3000);
    const stalled = loops.samples.filter((s) => s.threads.some((t) => !t.alive));
    expect(stalled, JSON.stringify(stalled.slice(0, 3))).toEqual([]);
    expect(loops.samples.every((s) => s.threads.map((t) => t.name).join() === 'MarketDataLoop,DecisionLoop')).toBe(true);
    expect(Math.max(...loops.samples.flatMap((s) => s.threads.map((t) => t.last_beat_age_s ?? 0)))).toBeLessThan(1.5);
    // The staleness guard is untouched by the beats: the hole still makes the symbol stale.
    expect(rec.lines().map((l) => l.event_type)).toEqual(['FEED_START', 'DATA_GAP', 'DATA_STALE', 'DATA_RESUMED', 'FEED_END']);
  });

  it('writes DATA_GAP as the wait for the bar after the gap begins, once, saying when that bar comes in wall time', async () => {
    // 8999 missing minutes at 500000x: the bar after the gap is due about 1.08 s after the gap is reached.
    const { path, lastBefore, firstAfter } = gapFile(30, 10_001, 5);
    const rec = systemRecording(tempDir());
    const feed = await ReplayFeed.open({ files: [path], symbols: ['BTC/USD'], speed: 500_000, recorder: rec.recorder });
    let resumed: { at: number; wall: number } | undefined;
    await feed.start((bar: Bar) => {
      if (bar.openTime === firstAfter) resumed = { at: performance.now(), wall: Date.now() };
    });
    const missing = (firstAfter - lastBefore) / MINUTE - 1;
    const gaps = rec.lines().filter((l) => l.event_type === 'DATA_GAP');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({
      symbol: 'BTC/USD', from: new Date(lastBefore + MINUTE).toISOString(), to: new Date(firstAfter - MINUTE).toISOString(),
      missing_bars: missing, interval_s: 60, source: `${path}:32`,
    });
    const waitMs = ((missing + 1) * MINUTE) / 500_000;
    expect(Number(gaps[0]?.['wait_s']) * 1000).toBeGreaterThan(waitMs * 0.9);
    expect(Number(gaps[0]?.['wait_s']) * 1000).toBeLessThanOrEqual(waitMs + 1);
    // Written before the wait, not when the bar after it arrived.
    const written = rec.seen.find((s) => s.type === 'DATA_GAP')?.at ?? Number.NaN;
    expect(resumed).toBeDefined();
    expect((resumed?.at ?? 0) - written).toBeGreaterThan(waitMs * 0.9);
    // resumes_at is when the bar came, on the wall clock (within timer lateness).
    const promised = Date.parse(String(gaps[0]?.['resumes_at']));
    expect(Math.abs((resumed?.wall ?? 0) - promised)).toBeLessThan(250);
    expect(rec.lines().at(-1)).toMatchObject({ event_type: 'FEED_END', gaps: 1, missing_bars: missing });
  });

  it('files of periods years apart: the hole between them is a DATA_GAP of the symbol whose bar ends it, saying how long the paced replay will wait', async () => {
    // The altcoin file's first 5 minutes (2017-11-04 23:02..23:06), then the BTC month (from 2021-12-31 23:01).
    const rows = (JSON.parse(readFileSync(ALTCOIN_JSON, 'utf8')) as number[][]).slice(0, 5);
    const altcoin = join(tempDir(), 'UNITTEST_BTC-1m.json');
    writeFileSync(altcoin, JSON.stringify(rows));
    const btc = gapFile(3, 5, 0).path;
    const rec = systemRecording(tempDir());
    const feed = await ReplayFeed.open({ files: [altcoin, btc], symbols: ['UNITTEST/BTC', 'BTC/USD'], speed: 6000, recorder: rec.recorder });
    // The wait is about 6 hours of wall time at 6000x (2185914 minutes missing): the feed is stopped
    // once the gap is reported. Its source is the file (a reader names the line of a bar after a gap
    // in its own file only).
    rec.recorder.onLine((type) => {
      if (type === 'DATA_GAP') feed.stop();
    });
    const giveUp = setTimeout(() => feed.stop(), 3000);
    const delivered: string[] = [];
    expect(await feed.start((bar) => void delivered.push(bar.symbol))).toBe('stopped');
    clearTimeout(giveUp);
    expect(delivered).toEqual(Array<string>(5).fill('UNITTEST/BTC'));
    const lastAltcoin = rows[4]?.[0] ?? Number.NaN;
    const firstBtc = Date.parse('2021-12-31T23:01:00Z');
    const gaps = rec.lines().filter((l) => l.event_type === 'DATA_GAP');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({
      symbol: 'BTC/USD', from: new Date(lastAltcoin + MINUTE).toISOString(), to: '2021-12-31T23:00:00.000Z',
      missing_bars: (firstBtc - lastAltcoin) / MINUTE - 1, source: btc,
    });
    const waitS = (firstBtc - lastAltcoin) / 6000 / 1000;
    expect(Number(gaps[0]?.['wait_s'])).toBeGreaterThan(waitS - 1);
    expect(Number(gaps[0]?.['wait_s'])).toBeLessThanOrEqual(waitS + 0.001);
    expect(Date.parse(String(gaps[0]?.['resumes_at'])) - Date.now()).toBeGreaterThan((waitS - 60) * 1000);
  });

  it('does not mask a real stall: a decision that never ends, or an event loop blocked during the wait, still reads as stalled', async () => {
    const { path, firstAfter } = gapFile(30, 10_001, 5);
    // A decision that never ends on the bar after the gap: the feed awaits it, so nothing beats.
    const rec = systemRecording(tempDir());
    const loops = sessionLoops(rec.recorder, 200);
    const feed = await ReplayFeed.open({ files: [path], symbols: ['BTC/USD'], speed: 2_000_000, recorder: rec.recorder, whileWaiting: loops.whileWaiting });
    let hung = false;
    void feed.start((bar) => {
      loops.onBarStarted();
      if (bar.openTime !== firstAfter) return loops.onBarDecided();
      hung = true;
      return new Promise<void>(() => undefined);
    });
    const sampler = setInterval(loops.sample, 50);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    clearInterval(sampler);
    feed.stop();
    expect(hung).toBe(true);
    const last = loops.samples.at(-1)?.threads ?? [];
    expect(last.map((t) => [t.name, t.alive])).toEqual([['MarketDataLoop', false], ['DecisionLoop', false]]);

    // The event loop blocked in the middle of a 2.2 s wait: no timer runs, so no beat comes.
    const rec2 = systemRecording(tempDir());
    const loops2 = sessionLoops(rec2.recorder, 200);
    const feed2 = await ReplayFeed.open({ files: [path], symbols: ['BTC/USD'], speed: 250_000, recorder: rec2.recorder, whileWaiting: loops2.whileWaiting });
    const blocked = new Promise<void>((resolve) => {
      rec2.recorder.onLine((type) => {
        if (type !== 'DATA_GAP') return;
        setTimeout(() => {
          loops2.sample();
          const until = performance.now() + 1000;
          while (performance.now() < until) {
            // Busy: the main thread is stuck, as in a runaway computation.
          }
          loops2.sample();
          resolve();
        }, 300);
      });
    });
    const done = feed2.start(() => {
      loops2.onBarStarted();
      loops2.onBarDecided();
    });
    await blocked;
    feed2.stop();
    await done;
    const [before, after] = loops2.samples;
    expect(before?.threads.every((t) => t.alive)).toBe(true);
    expect(after?.threads.map((t) => [t.name, t.alive])).toEqual([['MarketDataLoop', false], ['DecisionLoop', false]]);
  });
});
