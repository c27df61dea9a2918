import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { parseDuration } from '../../config/duration.js';
import { writeNoTrades } from '../testing/incidents.js';
import { relativeMs } from './relative-time.js';

// --since 1h30m was refused though the config takes 1h30m as a duration: the query flags take every
// form a config duration takes (and weeks, which they always took).
describe('relative --since/--until in the forms of config durations', () => {
  it('reads every config duration form as the config does', () => {
    for (const text of ['500ms', '90s', '5m', '2h', '1d', '1h30m', '2d12h', '1m30s', '1H30M', ' 45m ', '1.5h', '0s']) {
      expect([text, relativeMs(text)]).toEqual([text, parseDuration(text)]);
    }
    expect(relativeMs('1w')).toBe(604_800_000);
    expect(relativeMs('1w2d')).toBe(604_800_000 + 2 * 86_400_000);
    for (const text of ['', 'h', '1h30', '30', '1h 30m', 'yesterday', '-1h', '1x']) expect([text, relativeMs(text)]).toEqual([text, undefined]);
  });

  it('why --since 1h30m searches from 90 minutes ago; a bad time is refused naming the forms', async () => {
    const dir = tempDir('tt-since-combined-');
    writeNoTrades(dir);
    const before = Date.now();
    const r = await runQuery(['why', '--since', '1h30m', '--data-dir', dir]);
    const after = Date.now();
    expect(r.code).toBe(1);
    const since = /^no decisions since (\S+ \S+):/.exec(r.stdout)?.[1] ?? '';
    const ms = Date.parse(since.replace(' ', 'T'));
    expect(ms).toBeGreaterThanOrEqual(before - 90 * 60_000);
    expect(ms).toBeLessThanOrEqual(after - 90 * 60_000);
    const until = await runQuery(['drift', '--until', '2d12h', '--data-dir', dir]);
    expect(until.code).not.toBe(2);
    const bad = await runQuery(['why', '--since', '1h30x', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('tradetrace why: --since "1h30x": expected a relative time like 30m, 2h, 1d or an ISO time like 2025-10-26T10:00:00Z (units combine as in config durations, 1h30m; units ms, s, m, h, d, w)\n');
  });
});
