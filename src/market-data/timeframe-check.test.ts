import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { openCandleFile } from './candle-file.js';
import { isCandleFileError } from './candle-file-error.js';
import { checkTimeframe } from './timeframe-check.js';
import { spacingText, timeframeMs, timeframeOf } from './timeframe.js';

const available = sharedDataAvailable();

const refusal = async (path: string, intervalMs: number): Promise<string | undefined> => {
  try {
    await checkTimeframe(await openCandleFile(path, { symbol: 'BTC/USD', intervalMs }));
    return undefined;
  } catch (error) {
    if (!isCandleFileError(error)) throw error;
    expect(error.code).toBe('wrong_timeframe');
    return error.message;
  }
};

describe('timeframes', () => {
  it('maps every config value to its bar length and back, and says spacings in words', () => {
    expect((['1m', '5m', '15m', '1h', '4h', '1d'] as const).map(timeframeMs)).toEqual([60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000]);
    expect(timeframeOf(900_000)).toBe('15m');
    expect(timeframeOf(120_000)).toBeUndefined();
    expect([60_000, 120_000, 3_600_000, 86_400_000, 90_000].map(spacingText)).toEqual(['1 minute', '2 minutes', '1 hour', '1 day', '90 seconds']);
  });
});

describe.skipIf(!available)('checkTimeframe (real candles)', () => {
  it('passes a file of the timeframe\'s bars, CSV or JSON', async () => {
    expect(await refusal(BTC_PERP_CSV, 60_000)).toBeUndefined();
    expect(await refusal(ALTCOIN_JSON, 60_000)).toBeUndefined();
  });

  it('refuses 1-minute bars at 1h, naming the file, its bars and the setting', async () => {
    expect(await refusal(ALTCOIN_JSON, 3_600_000)).toMatch(
      new RegExp(`^${ALTCOIN_JSON.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its bars are 1 minute apart \\(first two: \\S+Z, \\S+Z\\), but market_data.timeframe is 1h: .* set market_data.timeframe=1m \\(--set market_data.timeframe=1m\\)`),
    );
  });

  it('reads holes among the first bars as gaps, not as a longer bar; a file of 2-minute bars has no timeframe to set', async () => {
    const [header = '', ...rows] = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 40);
    const dir = tempDir('tt-timeframe-check-');
    const holes = join(dir, 'holes.csv');
    // Bars 2-4 and 6 missing: the first spacings are 4 and 2 minutes, then 1 minute.
    writeFileSync(holes, `${[header, ...rows.filter((_, i) => ![1, 2, 3, 5].includes(i))].join('\n')}\n`);
    expect(await refusal(holes, 60_000)).toBeUndefined();
    const twoMinutes = join(dir, 'two.csv');
    writeFileSync(twoMinutes, `${[header, ...rows.filter((row) => Number(row.slice(15, 16)) % 2 === 0)].join('\n')}\n`);
    expect(await refusal(twoMinutes, 60_000)).toContain('its bars are 2 minutes apart (first two: 2021-12-31T23:02Z, 23:04Z), but market_data.timeframe is 1m');
    expect(await refusal(twoMinutes, 60_000)).toContain('give a file of 1m bars; market_data.timeframe takes 1m, 5m, 15m, 1h, 4h, 1d');
    const single = join(dir, 'single.csv');
    writeFileSync(single, `${[header, rows[0]].join('\n')}\n`);
    expect(await refusal(single, 300_000)).toBeUndefined();
  });
});
