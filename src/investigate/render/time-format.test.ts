import { describe, expect, it } from 'vitest';
import { after, ago, duration, parseTimeSpec } from './time-format.js';

describe('parseTimeSpec', () => {
  const now = Date.parse('2025-10-27T12:00:00Z');
  it('takes a bare date as the whole day: its start for --since, its end for --until', () => {
    expect(parseTimeSpec('--since', '2025-10-26', now)).toEqual({ ok: true, value: '2025-10-26T00:00:00.000Z' });
    expect(parseTimeSpec('--until', '2025-10-26', now)).toEqual({ ok: true, value: '2025-10-26T23:59:59.999Z' });
    // A time of day, or a zone, is taken as written.
    expect(parseTimeSpec('--until', '2025-10-26T10:00', now)).toEqual({ ok: true, value: '2025-10-26T10:00:00.000Z' });
    expect(parseTimeSpec('--until', '2025-10-26T10:00+02:00', now)).toEqual({ ok: true, value: '2025-10-26T08:00:00.000Z' });
    expect(parseTimeSpec('--since', '2h', now)).toEqual({ ok: true, value: '2025-10-27T10:00:00.000Z' });
    expect(parseTimeSpec('--until', 'yesterday', now)).toMatchObject({ ok: false });
  });
});

describe('duration', () => {
  it('shows a negative span (an end stamped before its start) with its sign and why, not as its magnitude', () => {
    expect(duration(3_559_000)).toBe('59m 19s');
    expect(duration(-3_559_000)).toBe('-59m 19s (the clock went back)');
    expect(duration(-1500)).toBe('-1.5s (the clock went back)');
  });

  it('leaves the sign to after and ago, which say it their own way', () => {
    expect(after('2025-10-26T12:00:00.000Z', '2025-10-26T12:00:01.500Z')).toBe('-1.5s');
    expect(after('2025-10-26T12:02:03.000Z', '2025-10-26T12:00:00.000Z')).toBe('+2m03s');
    expect(ago('2025-10-26T12:02:00.000Z', Date.parse('2025-10-26T12:00:00.000Z'))).toBe('in 2m 00s');
  });
});
