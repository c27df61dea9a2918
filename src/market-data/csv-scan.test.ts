import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { CandleFileError } from './candle-file-error.js';
import { openCandleFile, scanCandleFile, type CandleFile } from './candle-file.js';

/** What readCsvBars says about a file: its summary, or its error's identity. */
async function fullRead(file: CandleFile): Promise<unknown> {
  let bars = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  try {
    for await (const batch of file.bars()) {
      for (const bar of batch) {
        if (bars === 0) first = bar.openTime;
        last = bar.openTime;
        bars++;
      }
    }
  } catch (error) {
    return identity(error);
  }
  return { bars, first, last };
}

async function scanned(file: CandleFile): Promise<unknown> {
  try {
    const summary = await scanCandleFile(file);
    return { bars: summary.bars, first: summary.firstOpenTime, last: summary.lastOpenTime };
  } catch (error) {
    return identity(error);
  }
}

function identity(error: unknown): unknown {
  if (!(error instanceof CandleFileError)) throw error;
  return { code: error.code, line: error.line, column: error.column, value: error.value, message: error.message };
}

const HEADER = 'timestamp,open,high,low,close,volume';
const ROW = (minute: number, o: string, h: string, l: string, c: string, v = '10'): string =>
  `2022-01-01T00:${String(minute).padStart(2, '0')}:00Z,${o},${h},${l},${c},${v}`;

describe('CSV preflight scan (no Decimal for plainly fine rows)', () => {
  // Each case: the rows after the header; the scan must say exactly what the full reader says.
  const cases: [string, string[]][] = [
    ['fine rows, ties of identical text', [ROW(0, '2', '3', '2', '3'), ROW(1, '2.5', '2.5', '2.5', '2.5'), ROW(2, '46319.0', '46385.0', '46319.0', '46377.0')]],
    ['ties of different texts of one value', [ROW(0, '2', '3.0', '2.0', '3')]],
    ['high below low', [ROW(0, '2', '3', '2', '3'), ROW(1, '2', '1.5', '2', '2')]],
    ['open above high beyond double precision', [ROW(0, '1.0000000000000002', '1.0000000000000001', '1', '1')]],
    ['close below low beyond double precision', [ROW(0, '1.00000000000000002', '1.1', '1.00000000000000002', '1.00000000000000001')]],
    ['zero low', [ROW(0, '0', '1', '0', '1')]],
    ['negative volume', [ROW(0, '1', '1', '1', '1', '-1')]],
    ['exponent text', [ROW(0, '1e-3', '2e-3', '1e-3', '2e-3', '1e2')]],
    ['not a number', [ROW(0, '1', 'x', '1', '1')]],
    ['missing column', [ROW(0, '1', '1', '1', '1').replace(/,10$/, '')]],
    ['duplicate time', [ROW(0, '1', '1', '1', '1'), ROW(0, '1', '1', '1', '1')]],
    ['out of order', [ROW(1, '1', '1', '1', '1'), ROW(0, '1', '1', '1', '1')]],
    ['a gap is fine', [ROW(0, '1', '1', '1', '1'), ROW(5, '1', '1', '1', '1')]],
    ['blank line inside', [ROW(0, '1', '1', '1', '1'), '', ROW(1, '1', '1', '1', '1')]],
    ['spaces around values', [ROW(0, ' 1', '1 ', '1', '1')]],
    ['header only', []],
  ];
  it.each(cases)('%s: same verdict as the full reader', async (_name, rows) => {
    const path = join(tempDir(), 'ETH_USDT-1m.csv');
    writeFileSync(path, [HEADER, ...rows].join('\r\n') + '\n');
    const file = await openCandleFile(path);
    expect('scan' in file).toBe(true);
    expect(await scanned(file)).toEqual(await fullRead(file));
  });

  it.skipIf(!sharedDataAvailable())('agrees with the full reader on the real BTC month, and on it corrupted deep down', async () => {
    const file = await openCandleFile(BTC_PERP_CSV);
    expect(await scanned(file)).toEqual(await fullRead(file));
    const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n');
    const cells = (lines[40_000] ?? '').split(',');
    // low above the close on line 40,001: open,high,low,close = cells 1..4
    cells[3] = String(Number(cells[4]) + 1);
    lines[40_000] = cells.join(',');
    const path = join(tempDir(), 'BTC-PERP.csv');
    writeFileSync(path, lines.join('\n'));
    const corrupt = await openCandleFile(path);
    const verdict = await scanned(corrupt);
    expect(verdict).toMatchObject({ code: 'inconsistent_bar', line: 40_001 });
    expect(verdict).toEqual(await fullRead(corrupt));
  });
});
