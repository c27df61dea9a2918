import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeOrderFailures } from '../../investigate/testing/incidents.js';

describe('tradetrace alerts: duration flags take the config\'s duration syntax as well as seconds', () => {
  it('--failure-window 10s is --failure-window 10, and 15m is 900 (as alerts.order_failure_window: 15m)', async () => {
    const dataDir = tempDir('tt-alerts-durations-');
    writeOrderFailures(dataDir);
    const run = (...flags: string[]) => runQuery(['alerts', '--data-dir', dataDir, '--failure-min-intents', '2', ...flags]);
    const [tenS, ten, fifteenM, nineHundred] = await Promise.all([run('--failure-window', '10s'), run('--failure-window', '10'), run('--failure-window', '15m'), run('--failure-window=900')]);
    expect(tenS).toEqual(ten);
    expect(tenS.code).not.toBe(2);
    expect(fifteenM).toEqual(nineHundred);
    expect(fifteenM.stdout).toContain('order intents failed');
    expect(fifteenM.stdout).toContain('in the last 900 s');
    // The other duration flags too (each overrides a duration in the config).
    for (const flag of ['--heartbeat-interval', '--failure-late-fill-grace', '--drift-resolve-after']) {
      const [unit, bare] = await Promise.all([run(flag, '1m30s'), run(flag, '90')]);
      expect(unit, flag).toEqual(bare);
      expect(unit.code, flag).not.toBe(2);
    }
  });

  it('names the flag and the forms it takes when the value is neither', async () => {
    const dataDir = tempDir('tt-alerts-durations-bad-');
    writeOrderFailures(dataDir);
    const bad = await runQuery(['alerts', '--data-dir', dataDir, '--failure-window', '10 minutes']);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([
      2, '', 'tradetrace alerts: --failure-window "10 minutes": expected seconds (e.g. 900) or a duration with a unit, e.g. 500ms, 90s, 5m, 2h, 1d or 1h30m\n',
    ]);
  });

  it('--since takes combined units as the queries do: 1h30m is 90m', async () => {
    const dataDir = tempDir('tt-alerts-since-');
    writeOrderFailures(dataDir);
    const [combined, minutes] = await Promise.all(['1h30m', '90m'].map((since) => runQuery(['alerts', '--data-dir', dataDir, '--failure-min-intents', '2', '--since', since])));
    expect(combined?.code).not.toBe(2);
    expect(combined).toEqual(minutes);
  });
});
