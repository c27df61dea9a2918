import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parses units and combinations to milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(' 1.5s ')).toBe(1_500);
  });

  it('refuses bare numbers, unknown units, junk and sub-millisecond values', () => {
    for (const text of ['30', '', '5 m', '5min', 'm5', '1h-2m', '0.5ms', 'abc', '1s2']) {
      expect(parseDuration(text), text).toBeUndefined();
    }
  });

  it('formats canonically so that equal durations have one text', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(86_400_000 + 1)).toBe('1d1ms');
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
