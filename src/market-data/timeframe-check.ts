import type { Bar } from './bar.js';
import type { CandleFile } from './candle-file.js';
import { CandleFileError } from './candle-file-error.js';
import { readCsvBars } from './csv-bar-reader.js';
import { readJsonBars } from './json-bar-reader.js';
import { spacingText, timeframeOf } from './timeframe.js';
import { TIMEFRAMES } from '../config/sections/market-data.js';

/**
 * Spacings looked at: enough that a few holes at the start of a file do not hide its bar length,
 * few enough that the check reads only the file's first chunk.
 */
const FIRST_SPACINGS = 20;

/** `2021-12-31T23:01Z`; `later` on the same day as `earlier` keeps only its time: `23:02Z`. */
function shortTime(ms: number, sameDayAs?: number): string {
  const iso = new Date(ms).toISOString();
  const trimmed = iso.endsWith(':00.000Z') ? `${iso.slice(0, 16)}Z` : iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
  return sameDayAs !== undefined && new Date(sameDayAs).toISOString().slice(0, 10) === iso.slice(0, 10) ? trimmed.slice(11) : trimmed;
}

/** The open times of the file's first bars, read on a 1 ms grid so that any spacing shows. */
async function firstOpenTimes(file: CandleFile, count: number): Promise<number[]> {
  const read = file.format === 'csv' ? readCsvBars : readJsonBars;
  const times: number[] = [];
  const bars: AsyncIterable<readonly Bar[]> = read(file.path, { symbol: file.symbol, intervalMs: 1 });
  for await (const batch of bars) {
    for (const bar of batch) {
      times.push(bar.openTime);
      if (times.length >= count) return times;
    }
  }
  return times;
}

/**
 * Refuses a file whose bars are not `file.intervalMs` long (market_data.timeframe) before anything
 * is decided on it: the bot trades bars of that length and never resamples, so 1-minute bars read
 * as 5-minute ones would be misaligned or gaps everywhere, and 5-minute bars read as 1-minute ones
 * a hole after every bar. The bar length is the smallest spacing of the file's first bars (a hole
 * among them is a gap, not another length). A file of one bar says nothing and passes.
 */
export async function checkTimeframe(file: CandleFile): Promise<void> {
  const times = await firstOpenTimes(file, FIRST_SPACINGS + 1);
  let pair: [number, number] | undefined;
  for (let i = 1; i < times.length; i++) {
    const [a, b] = [times[i - 1] ?? 0, times[i] ?? 0];
    if (b > a && (pair === undefined || b - a < pair[1] - pair[0])) pair = [a, b];
  }
  if (pair === undefined) return;
  const spacing = pair[1] - pair[0];
  const first = pair[0] === times[0] ? 'first two' : 'two in a row';
  const aligned = pair[0] % file.intervalMs === 0 && pair[1] % file.intervalMs === 0;
  if (spacing === file.intervalMs && aligned) return;
  const wanted = timeframeOf(file.intervalMs) ?? spacingText(file.intervalMs);
  const held = timeframeOf(spacing);
  const holds = `its bars are ${spacingText(spacing)} apart (${first}: ${shortTime(pair[0])}, ${shortTime(pair[1], pair[0])})`;
  const fix =
    spacing !== file.intervalMs && held !== undefined
      ? `set market_data.timeframe=${held} (--set market_data.timeframe=${held}) to trade its ${held} bars, or give a file of ${wanted} bars`
      : spacing === file.intervalMs
        ? `give a file whose bars open on the ${wanted} grid (multiples of ${spacingText(file.intervalMs)} since 1970-01-01T00:00Z)`
        : `give a file of ${wanted} bars; market_data.timeframe takes ${TIMEFRAMES.join(', ')}`;
  throw new CandleFileError('wrong_timeframe', {
    file: file.path,
    line: 0,
    value: held ?? spacingText(spacing),
    expected: `${wanted} bars (market_data.timeframe)`,
    message: `${file.path}: ${holds}, but market_data.timeframe is ${wanted}: the bot trades bars of that length and does not resample. Nothing was decided on it. To trade this file, ${fix}`,
  });
}
