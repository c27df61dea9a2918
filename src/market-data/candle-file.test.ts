import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { Bar } from './bar.js';
import { CandleFileError } from './candle-file-error.js';
import { loadCandleFile, openCandleFile, scanCandleFile } from './candle-file.js';
import { MAX_CHECKPOINTS } from './file-fingerprint.js';

const hasData = sharedDataAvailable();

/** The file's fingerprint computed apart from the readers: all its bytes at once. */
function fingerprintOf(path: string): { bytes: number; sha256: string } {
  const bytes = readFileSync(path);
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function readAll(path: string, symbol?: string): Promise<Bar[]> {
  const file = await openCandleFile(path, symbol === undefined ? {} : { symbol });
  const bars: Bar[] = [];
  for await (const batch of file.bars()) bars.push(...batch);
  return bars;
}

async function failure(path: string): Promise<CandleFileError> {
  try {
    await readAll(path, 'TEST/USD');
  } catch (error) {
    if (error instanceof CandleFileError) return error;
    throw error;
  }
  throw new Error(`${path} was read without error`);
}

/** Writes a CSV made of the real file's header and first rows, with `edit` applied. */
function csvFixture(edit: (lines: string[]) => string[]): string {
  const lines = readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 6);
  const path = join(tempDir(), 'fixture.csv');
  writeFileSync(path, edit(lines).join('\n') + '\n');
  return path;
}

describe.skipIf(!hasData)('CSV candle files (real BTC-PERP month)', () => {
  it('reads every row to exact Decimals, in order, with the symbol from the file name', async () => {
    const bars = await readAll(BTC_PERP_CSV);
    expect(bars).toHaveLength(45_031);
    const [first] = bars;
    expect(first?.symbol).toBe('BTC-PERP');
    expect(first?.openTime).toBe(Date.UTC(2021, 11, 31, 23, 1));
    expect([first?.open, first?.high, first?.low, first?.close, first?.volume].map(String)).toEqual(['46319', '46385', '46319', '46377', '2300413.7295']);
    expect(bars.at(-1)?.openTime).toBe(Date.UTC(2022, 1, 1, 5, 31));
    const steps = new Set(bars.slice(1).map((bar, i) => bar.openTime - (bars[i]?.openTime ?? 0)));
    expect([...steps]).toEqual([60_000]);
  });

  it('scans to a summary: contiguous, no gaps, with the size and sha256 of the bytes it read', async () => {
    const summary = await scanCandleFile(await openCandleFile(BTC_PERP_CSV));
    expect(summary).toMatchObject({
      bars: 45_031, firstOpenTime: Date.UTC(2021, 11, 31, 23, 1), lastOpenTime: Date.UTC(2022, 1, 1, 5, 31), gaps: 0, missingBars: 0, fingerprint: fingerprintOf(BTC_PERP_CSV),
    });
    expect(summary.fingerprint.bytes).toBe(3_220_342);
  });

  it('hashes growing prefixes on the way (checkpoints), each the sha256 of the first bytes it names, the whole file last', async () => {
    const bytes = readFileSync(BTC_PERP_CSV);
    const { fingerprint } = await scanCandleFile(await openCandleFile(BTC_PERP_CSV));
    const checkpoints = fingerprint.checkpoints ?? [];
    expect(checkpoints.length).toBeGreaterThanOrEqual(32);
    expect(checkpoints.length).toBeLessThan(MAX_CHECKPOINTS);
    expect(checkpoints.at(-1)).toEqual({ bytes: fingerprint.bytes, sha256: fingerprint.sha256 });
    for (const c of checkpoints) expect(c.sha256, `the first ${c.bytes} bytes`).toBe(createHash('sha256').update(bytes.subarray(0, c.bytes)).digest('hex'));
  });

  it('says where the probed row ends and hashes the prefixes asked for, scanned or loaded, CSV or JSON', async () => {
    for (const path of [BTC_PERP_CSV, ALTCOIN_JSON]) {
      const bytes = readFileSync(path);
      const file = await openCandleFile(path);
      const all = (await loadCandleFile(file, undefined, undefined)).batches.flat();
      const probe = all[1000]?.openTime ?? 0;
      const asked = [1000, 150_000, bytes.length, bytes.length + 1];
      for (const summary of [await scanCandleFile(file, probe, asked), (await loadCandleFile(file, probe, undefined, asked)).summary]) {
        // The row's text ends right there: a line break (CSV) or the next row's comma (JSON) follows.
        const end = summary.probedRowEnd ?? 0;
        expect(path.endsWith('.csv') ? bytes.subarray(end, end + 1).toString() : bytes.subarray(end - 1, end).toString(), path).toBe(path.endsWith('.csv') ? '\n' : ']');
        const text = bytes.subarray(0, end).toString('utf8');
        expect(text.slice(text.lastIndexOf(path.endsWith('.csv') ? '\n' : '[') + 1), path).toContain(path.endsWith('.csv') ? '2022-01-01 15:41' : String(probe));
        expect([...summary.prefixes.keys()]).toEqual([1000, 150_000, bytes.length]);
        for (const [at, sha256] of summary.prefixes) expect(sha256).toBe(createHash('sha256').update(bytes.subarray(0, at)).digest('hex'));
      }
    }
  });

  it('brings back the close of the bar it is asked for, read exactly, and nothing for a time the file does not hold', async () => {
    const file = await openCandleFile(BTC_PERP_CSV);
    expect((await scanCandleFile(file, Date.UTC(2021, 11, 31, 23, 3))).probedClose?.toString()).toBe('46425');
    expect((await scanCandleFile(file, Date.UTC(2021, 11, 31, 23, 3, 30))).probedClose).toBeUndefined();
  });

  it('names file, line, column, value and expectation for a bad price', async () => {
    const path = csvFixture((l) => l.map((line, i) => (i === 3 ? line.replace(/,46425\.0,/, ',46x25.0,') : line)));
    const error = await failure(path);
    expect(error).toMatchObject({ code: 'bad_value', file: path, line: 4, column: 'high', value: '46x25.0', retryable: false });
    expect(error.message).toContain(`${path}:4`);
  });

  it.each([
    ['a missing column', (l: string[]) => l.map((line, i) => (i === 2 ? line.split(',').slice(0, 5).join(',') : line)), 'bad_row', 3],
    ['a bad timestamp', (l: string[]) => l.map((line, i) => (i === 2 ? line.replace('2021-12-31 23:02', '2021-12-31 25:02') : line)), 'bad_value', 3],
    ['a duplicated row', (l: string[]) => [...l.slice(0, 3), l[2] ?? '', ...l.slice(3)], 'duplicate_bar', 4],
    ['rows out of order', (l: string[]) => [l[0] ?? '', l[2] ?? '', l[1] ?? '', ...l.slice(3)], 'out_of_order', 3],
    ['high below close', (l: string[]) => l.map((line, i) => (i === 1 ? '2021-12-31 23:01:00.000000,46319.0,46300.0,46319.0,46377.0,1' : line)), 'inconsistent_bar', 2],
    ['a time off the minute grid', (l: string[]) => l.map((line, i) => (i === 5 ? line.replace(':05:00', ':05:30') : line)), 'misaligned_bar', 6],
    ['a blank line between rows', (l: string[]) => [...l.slice(0, 3), '', ...l.slice(3)], 'bad_row', 4],
    ['no header', (l: string[]) => l.slice(1), 'bad_header', 1],
    ['only a header', (l: string[]) => l.slice(0, 1), 'empty_file', 1],
  ])('rejects %s with a typed error at the right line', async (_name, edit, code, line) => {
    const error = await failure(csvFixture(edit));
    expect(error.code).toBe(code);
    expect(error.line).toBe(line);
  });

  it('accepts columns in another order, CRLF line ends and ISO times', async () => {
    const path = join(tempDir(), 'ETH_USDT-1m.csv');
    writeFileSync(path, 'time,close,open,high,low,volume\r\n2022-01-01T00:00:00Z,2.5,2,3,1.5,10\r\n2022-01-01T00:01:00Z,2.6,2.5,2.7,2.4,0\r\n');
    const bars = await readAll(path);
    expect(bars.map((b) => [b.symbol, b.openTime, b.open.toString(), b.close.toString()])).toEqual([
      ['ETH/USDT', Date.UTC(2022, 0, 1), '2', '2.5'],
      ['ETH/USDT', Date.UTC(2022, 0, 1, 0, 1), '2.5', '2.6'],
    ]);
  });

  it('reports an unreadable file as file_unreadable', async () => {
    const error = await failure(join(tempDir(), 'missing.csv'));
    expect(error).toMatchObject({ code: 'file_unreadable', value: 'ENOENT' });
  });
});

describe.skipIf(!hasData)('JSON candle files (real altcoin, prices near 0.0016)', () => {
  it('reads every row exactly, exponent forms included, keeping the gaps', async () => {
    const bars = await readAll(ALTCOIN_JSON);
    expect(bars).toHaveLength(13_681);
    expect(bars[0]?.symbol).toBe('UNITTEST/BTC');
    expect(bars[0]?.close.toString()).toBe('0.00162008');
    const summary = await scanCandleFile(await openCandleFile(ALTCOIN_JSON), Date.parse('2017-11-04T23:07:00Z'));
    expect(summary).toMatchObject({ bars: 13_681, gaps: 538, missingBars: 717, fingerprint: fingerprintOf(ALTCOIN_JSON) });
    expect(summary.probedClose?.toString()).toBe('0.00160345');
    // The file has volumes written as 9.417e-05: they must come through as exact decimals.
    expect(bars.some((b) => b.volume.toString() === '0.00009417')).toBe(true);
  });

  it.each([
    ['a row with 5 values', '[[1509836520000, 1, 1, 1, 1]]', 'bad_row'],
    ['a word for a price', '[[1509836520000, 1, "high", 1, 1, 1]]', 'bad_value'],
    ['trailing garbage', '[[1509836520000, 1, 1, 1, 1, 1]] x', 'bad_row'],
    ['an empty array', '[]', 'empty_file'],
    ['seconds for milliseconds', '[[1509836520, 1, 1, 1, 1, 1]]', 'bad_value'],
  ])('rejects %s', async (_name, text, code) => {
    const path = join(tempDir(), 'X_BTC-1m.json');
    writeFileSync(path, text);
    expect((await failure(path)).code).toBe(code);
  });

  it('names the line of a bad row in a multi-line file', async () => {
    const path = join(tempDir(), 'X_BTC-1m.json');
    writeFileSync(path, '[\n[1509836520000, 1, 1, 1, 1, 1],\n[1509836580000, 1, 1, 1, -1, 1]\n]\n');
    expect(await failure(path)).toMatchObject({ code: 'bad_value', line: 3, column: 'close', value: '-1' });
  });
});

describe('candle file error messages', () => {
  it.each([
    ['a truncated CSV row', 'X_USD-1m.csv', 'timestamp,open,high,low,close,volume\n2022-01-01T00:00:00Z,1,1,1,1,1\n2022-01-01T00:01:00Z,1,1\n', 3],
    ['an extra CSV column', 'X_USD-1m.csv', 'timestamp,open,high,low,close,volume\n2022-01-01T00:00:00Z,1,1,1,1,1,9\n', 2],
    ['a JSON row that is not an array', 'X_USD-1m.json', '[[1509836520000, 1, 1, 1, 1, 1],\n{"a": 1}]', 2],
  ])('words a row problem without an empty column name: %s', async (_name, name, text, line) => {
    const path = join(tempDir(), name);
    writeFileSync(path, text);
    const error = await failure(path);
    expect(error.code).toBe('bad_row');
    expect(error.column).toBeUndefined();
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}: bad_row: got `));
    expect(error.message).not.toMatch(/column\s+bad_row/);
  });

  it('names the line of a JSON row on a line of its own for a problem with the whole row, not the line before', async () => {
    const path = join(tempDir(), 'X_USD-1m.json');
    writeFileSync(path, '[\n  [1509836520000, 1, 1, 1, 1, 1],\n\n  [1509836520000, 1, 1, 1, 1, 1]\n]\n');
    expect(await failure(path)).toMatchObject({ code: 'duplicate_bar', line: 4 });
  });

  it('still names the column when one value is at fault', () => {
    const error = new CandleFileError('bad_value', { file: 'f.csv', line: 4, column: 'high', value: 'x', expected: 'a decimal' });
    expect(error.message).toBe('f.csv:4: column high bad_value: got "x", expected a decimal');
  });
});
