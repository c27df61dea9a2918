import { describe, expect, it } from 'vitest';
import { parseTimeSpec } from './time-format.js';

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
