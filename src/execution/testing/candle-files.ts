import { readFileSync } from 'node:fs';
import type { Candle } from '../../domain/candle.js';
import { Decimal } from '../../domain/decimal.js';

/**
 * Reads the two candle files of shared/data for execution tests and the exchange contract, until
 * the market-data loaders land (then this file should delegate to them). Strict: a malformed row
 * throws, naming the file and the row.
 */

/** `timestamp,open,high,low,close,volume` with `YYYY-MM-DD HH:MM:SS.ffffff` UTC timestamps. */
export function readCsvCandles(path: string, limit = Number.POSITIVE_INFINITY): Candle[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = lines[0]?.trim();
  if (header !== 'timestamp,open,high,low,close,volume') {
    throw new Error(`${path}: header ${JSON.stringify(header)}, expected "timestamp,open,high,low,close,volume"`);
  }
  const candles: Candle[] = [];
  for (let i = 1; i < lines.length && candles.length < limit; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    const cells = line.split(',');
    const stamp = cells[0] ?? '';
    const openTime = Date.parse(`${stamp.replace(' ', 'T').slice(0, 23)}Z`);
    if (cells.length !== 6 || Number.isNaN(openTime)) {
      throw new Error(`${path}:${i + 1}: expected 6 cells with a UTC timestamp, got ${JSON.stringify(line)}`);
    }
    candles.push(candle(openTime, cells.slice(1), `${path}:${i + 1}`));
  }
  return candles;
}

/** A JSON array of `[ts_ms, open, high, low, close, volume]`. */
export function readJsonCandles(path: string, limit = Number.POSITIVE_INFINITY): Candle[] {
  const rows: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(rows)) throw new Error(`${path}: expected a JSON array of [ts_ms, o, h, l, c, v] rows`);
  const candles: Candle[] = [];
  for (const [index, row] of rows.entries()) {
    if (candles.length >= limit) break;
    if (!Array.isArray(row) || row.length !== 6 || !row.every((x) => typeof x === 'number')) {
      throw new Error(`${path}[${index}]: expected [ts_ms, o, h, l, c, v] numbers, got ${JSON.stringify(row)}`);
    }
    const [ts, ...values] = row;
    candles.push(candle(ts ?? Number.NaN, values.map(String), `${path}[${index}]`));
  }
  return candles;
}

function candle(openTime: number, cells: readonly string[], where: string): Candle {
  try {
    const [open, high, low, close, volume] = cells.map((c) => Decimal.parse(c));
    if (!open || !high || !low || !close || !volume) throw new Error('missing value');
    if (high.lt(low) || open.gt(high) || open.lt(low) || close.gt(high) || close.lt(low)) {
      throw new Error(`prices out of range: o=${open.toString()} h=${high.toString()} l=${low.toString()} c=${close.toString()}`);
    }
    return { openTime, open, high, low, close, volume };
  } catch (error) {
    throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
