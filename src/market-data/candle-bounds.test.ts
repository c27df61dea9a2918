import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_DIR, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import type { Bar } from './bar.js';
import { CandleFileError } from './candle-file-error.js';
import { openCandleFile, scanCandleFile } from './candle-file.js';
import { readDecimalField } from './decimal-field.js';

// A candle file with prices no market has was replayed: `1e308` parsed (exponent text is read, as
// JSON writers emit small numbers that way), and `1e999999999` built a billion-digit integer for a
// minute before a RangeError that was no CandleFileError. Values are now bounded (below 1e18, a
// price at most 1e15 with at most 18 places), judged before any digit is expanded.

const HEADER = 'timestamp,open,high,low,close,volume';
const T = '2022-01-01T00:00:00Z';

async function readAll(path: string): Promise<Bar[]> {
  const bars: Bar[] = [];
  for await (const batch of (await openCandleFile(path)).bars()) bars.push(...batch);
  return bars;
}

/** The error of reading the file whole and of scanning it: they must be the same one. */
async function refusals(path: string): Promise<CandleFileError[]> {
  const errors: CandleFileError[] = [];
  for (const attempt of [() => readAll(path), async () => scanCandleFile(await openCandleFile(path))]) {
    try {
      await attempt();
    } catch (error) {
      if (!(error instanceof CandleFileError)) throw error;
      errors.push(error);
      continue;
    }
    throw new Error(`${path} was read without error`);
  }
  return errors;
}

function csv(row: string): string {
  const path = join(tempDir('tt-candle-bounds-'), 'X_USD-1m.csv');
  writeFileSync(path, `${HEADER}\n2021-12-31T23:59:00Z,1,1,1,1,1\n${row}\n`);
  return path;
}

describe('candle values no market has are refused, naming file, line, column and what was expected', () => {
  it.each([
    ['a high of 1e308', `${T},1,1e308,1,1,1`, 'bad_value', 'high', /below 1e18/],
    ['every price 1e308', `${T},1e308,1e308,1e308,1e308,1`, 'bad_value', 'open', /below 1e18/],
    ['a volume of 1e308', `${T},1,1,1,1,1e308`, 'bad_value', 'volume', /below 1e18/],
    ['a price of 1e18 written out', `${T},1,1000000000000000000,1,1,1`, 'bad_value', 'high', /below 1e18/],
    ['prices of 2e15', `${T},2e15,2e15,2e15,2e15,1`, 'bad_value', 'high', /at most 1000000000000000 \(1e15\)/],
    ['a price finer than 18 places', `${T},1,1,0.0000000000000000001,1,1`, 'bad_value', 'low', /at most 18 decimal places/],
    ['a price of 1e-30', `${T},1e-30,1e-30,1e-30,1e-30,1`, 'bad_value', 'open', /at most 18 decimal places/],
    ['a negative exponent price', `${T},1,1,-1e308,1,1`, 'bad_value', 'low', /non-negative/],
    ['a negative price', `${T},1,1,-1,1,1`, 'bad_value', 'low', /non-negative/],
    ['a zero price', `${T},0,0,0,0,1`, 'inconsistent_bar', 'low', /above 0/],
    ['high below low', `${T},1,1,2,1,1`, 'inconsistent_bar', 'high', /high >= low/],
    ['close outside low..high', `${T},1,2,1,3,1`, 'inconsistent_bar', 'close', /close within low\.\.high/],
    ['a negative volume', `${T},1,1,1,1,-5`, 'bad_value', 'volume', /non-negative/],
    ['Infinity', `${T},1,Infinity,1,1,1`, 'bad_value', 'high', /decimal number/],
  ])('CSV: %s', async (_name, row, code, column, expected) => {
    const path = csv(row);
    for (const error of await refusals(path)) {
      expect(error).toMatchObject({ code, file: path, line: 3, column });
      expect(error.expected).toMatch(expected);
      expect(error.message).toContain(`${path}:3: column ${column} ${code}`);
    }
  });

  it('refuses a huge exponent at once, as a CandleFileError (it built the number for a minute, then threw a RangeError)', async () => {
    const started = performance.now();
    for (const exponent of ['1e999999999', '1e30000000', '1e99999999999999999999']) {
      for (const error of await refusals(csv(`${T},1,${exponent},1,1,1`))) expect(error).toMatchObject({ code: 'bad_value', column: 'high', value: exponent });
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['a number', '[[1640995200000, 1, 1e308, 1, 1, 1]]', 'high'],
    ['a string', '[[1640995200000, 1, 1, 1, 1, "1e308"]]', 'volume'],
    ['a huge exponent', '[[1640995200000, 1, 1, 1e999999999, 1, 1]]', 'low'],
  ])('JSON: 1e308 as %s', async (_name, text, column) => {
    const path = join(tempDir('tt-candle-bounds-'), 'X_USD-1m.json');
    writeFileSync(path, `[\n${text.slice(1, -1)}\n]\n`);
    for (const error of await refusals(path)) {
      expect(error).toMatchObject({ code: 'bad_value', file: path, line: 2, column });
      expect(error.expected).toMatch(/below 1e18/);
    }
  });
});

describe('candle values within the bounds are read exactly, exponent forms included', () => {
  it('accepts a price of 1e15, 18 decimal places, and exponent text for small and large numbers', async () => {
    const path = csv([
      `${T},1000000000000000,1e15,999999999999999.5,1e15,999999999999999999`,
      '2022-01-01T00:01:00Z,0.000000000000000001,1.5e-17,1e-18,1e-18,9.417e-05',
    ].join('\n'));
    const bars = await readAll(path);
    expect(bars.slice(1).map((b) => [b.open, b.high, b.low, b.close, b.volume].map((d) => d.toString()))).toEqual([
      ['1000000000000000', '1000000000000000', '999999999999999.5', '1000000000000000', '999999999999999999'],
      ['0.000000000000000001', '0.000000000000000015', '0.000000000000000001', '0.000000000000000001', '0.00009417'],
    ]);
    expect((await scanCandleFile(await openCandleFile(path))).bars).toBe(3);
  });

  it('readDecimalField judges the magnitude from the text: below 1e18 read, 1e18 and above refused, zeros are zero', () => {
    expect((readDecimalField('9.99999e17') as Decimal).toString()).toBe('999999000000000000');
    expect((readDecimalField('0.00001e22') as Decimal).toString()).toBe('100000000000000000');
    expect((readDecimalField('0e999999999') as Decimal).isZero()).toBe(true);
    expect(readDecimalField('-0')).toEqual(Decimal.ZERO);
    for (const big of ['1e18', '10e17', '0.1e19', '1000000000000000000', '1e308']) expect(readDecimalField(big), big).toMatch(/below 1e18/);
    expect(readDecimalField('1e-37')).toMatch(/decimal places/);
  });
});

describe.skipIf(!sharedDataAvailable())('the real candle files in ../shared/data all still load', () => {
  const files = readdirSync(SHARED_DATA_DIR).filter((name) => /\.(csv|json)$/.test(name));

  it.each(files)('%s: read whole and scanned, without error and to the same bars', async (name) => {
    const path = join(SHARED_DATA_DIR, name);
    const bars = await readAll(path);
    expect(bars.length).toBeGreaterThan(0);
    expect((await scanCandleFile(await openCandleFile(path))).bars).toBe(bars.length);
  });
});
