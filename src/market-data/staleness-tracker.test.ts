import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import type { EventType } from '../recorder/events/catalog.js';
import { NullSink } from '../recorder/line-sink.js';
import { Recorder } from '../recorder/recorder.js';
import type { Bar } from './bar.js';
import { StalenessTracker } from './staleness-tracker.js';

const ONE = Decimal.ONE;
const bar = (symbol: string, openTime: number): Bar => ({ symbol, openTime, open: ONE, high: ONE, low: ONE, close: ONE, volume: ONE });
const T0 = Date.UTC(2024, 0, 1);

function tracked(): { tracker: StalenessTracker; events: Array<[EventType, Readonly<Record<string, unknown>>]> } {
  const recorder = new Recorder({ sessionId: 'session_20240101_000000', sink: new NullSink() });
  const events: Array<[EventType, Readonly<Record<string, unknown>>]> = [];
  recorder.onLine((type, fields) => events.push([type, fields]));
  const tracker = new StalenessTracker({ thresholdMs: 120_000, intervalMs: 60_000, recorder });
  tracker.track(['BTC/USDT', 'ETH/USDT']);
  return { tracker, events };
}

describe('StalenessTracker', () => {
  it('measures age from the close of the latest bar', () => {
    const { tracker } = tracked();
    tracker.observe(bar('BTC/USDT', T0), T0 + 60_000);
    expect(tracker.ageMs('BTC/USDT', T0 + 60_000)).toBe(0);
    expect(tracker.ageMs('BTC/USDT', T0 + 90_000)).toBe(30_000);
    expect(tracker.isStale('BTC/USDT', T0 + 60_000 + 120_000)).toBe(false);
    expect(tracker.isStale('BTC/USDT', T0 + 60_000 + 120_001)).toBe(true);
  });

  it('counts a symbol with no bar yet as stale, with a null age', () => {
    const { tracker } = tracked();
    expect(tracker.ageMs('ETH/USDT', T0)).toBeNull();
    expect(tracker.isStale('ETH/USDT', T0)).toBe(true);
    expect(tracker.snapshot(T0)).toEqual([
      { symbol: 'BTC/USDT', ageMs: null, stale: true },
      { symbol: 'ETH/USDT', ageMs: null, stale: true },
    ]);
  });

  it('logs DATA_STALE once per spell and DATA_RESUMED when a bar comes back', () => {
    const { tracker, events } = tracked();
    tracker.observe(bar('BTC/USDT', T0), T0 + 60_000);
    tracker.check(T0 + 150_000);
    expect(events).toEqual([]);
    tracker.check(T0 + 200_000);
    tracker.check(T0 + 260_000);
    expect(events).toEqual([['DATA_STALE', { symbol: 'BTC/USDT', age_ms: 140_000, threshold_ms: 120_000, last_bar_ts: '2024-01-01T00:00:00.000Z' }]]);
    tracker.observe(bar('BTC/USDT', T0 + 240_000), T0 + 300_000);
    expect(events[1]).toEqual(['DATA_RESUMED', { symbol: 'BTC/USDT', stale_for_ms: 120_000, bar_ts: '2024-01-01T00:04:00.000Z' }]);
    expect(tracker.isStale('BTC/USDT', T0 + 300_000)).toBe(false);
  });

  it('refuses a threshold that is not a positive number', () => {
    expect(() => new StalenessTracker({ thresholdMs: 0, intervalMs: 60_000 })).toThrow(RangeError);
  });
});

describe('StalenessTracker on bars longer than its threshold', () => {
  it('does not call a symbol stale while its next 1-hour bar forms, only once that bar is late', () => {
    const recorder = new Recorder({ sessionId: 'session_20240101_000000', sink: new NullSink() });
    const events: EventType[] = [];
    recorder.onLine((type) => events.push(type));
    const hour = 3_600_000;
    const tracker = new StalenessTracker({ thresholdMs: 120_000, intervalMs: hour, recorder });
    tracker.track(['BTC/USDT']);
    tracker.observe(bar('BTC/USDT', T0), T0 + hour);
    // 59 minutes after the close, the next bar is not due yet: not stale, no DATA_STALE.
    tracker.check(T0 + hour + 59 * 60_000);
    expect(tracker.isStale('BTC/USDT', T0 + hour + 59 * 60_000)).toBe(false);
    expect(tracker.isStale('BTC/USDT', T0 + 2 * hour)).toBe(false);
    expect(events).toEqual([]);
    // The next bar missed its close: stale at once.
    tracker.check(T0 + 2 * hour + 1);
    expect(tracker.isStale('BTC/USDT', T0 + 2 * hour + 1)).toBe(true);
    expect(events).toEqual(['DATA_STALE']);
  });
});
