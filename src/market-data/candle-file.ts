import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Decimal } from '../domain/decimal.js';
import { MINUTE_MS, type Bar } from './bar.js';
import type { BarReaderOptions } from './bar-reader-options.js';
import { CandleFileError } from './candle-file-error.js';
import { readCsvBars, scanCsvBars } from './csv-bar-reader.js';
import { FingerprintHash, type FileFingerprint } from './file-fingerprint.js';
import { readJsonBars, scanJsonBars } from './json-bar-reader.js';
import { SYMBOL, symbolFromFileName } from './symbol-from-file.js';

export type CandleFileFormat = 'csv' | 'json';

export interface CandleFileOptions {
  /** The symbol of its bars; derived from the file name when absent (see symbolFromFileName). */
  readonly symbol?: string;
  /** The bar length and grid (market_data.timeframe), 1 minute unless told. */
  readonly intervalMs?: number;
}

/** A candle file ready to replay: where, which format, which symbol, on which grid. */
export interface CandleFile {
  readonly path: string;
  readonly format: CandleFileFormat;
  readonly symbol: string;
  readonly intervalMs: number;
  /**
   * The bars in batches; `onGap` hears of each row after a gap, with its line (see BarReaderOptions);
   * `fingerprint` is fed the bytes read.
   */
  bars(onGap?: BarReaderOptions['onGap'], fingerprint?: FingerprintHash): AsyncIterable<readonly Bar[]>;
  /**
   * Checks every row as `bars()` would, handing over only each row's open time (a cheaper
   * preflight); returns the close of the row opening at `probeOpenTime`, if there is one.
   */
  scan(visit: (openTime: number) => void, request?: ScanRequest): Promise<Decimal | undefined>;
}

export interface ScanRequest {
  /** The open time of the one bar whose close price the scan returns. */
  readonly probeOpenTime?: number | undefined;
  readonly fingerprint?: FingerprintHash | undefined;
}

/** What a full pass over a file found: a preflight before trading on it. */
export interface CandleFileSummary {
  readonly bars: number;
  readonly firstOpenTime: number;
  readonly lastOpenTime: number;
  readonly gaps: number;
  readonly missingBars: number;
  /** The bytes the scan read: size and sha256, for FEED_START. */
  readonly fingerprint: FileFingerprint;
  /** The close of the bar asked for (`probeOpenTime`), when the file holds one. */
  readonly probedClose?: Decimal;
}

async function sniffFormat(path: string): Promise<CandleFileFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  let handle;
  try {
    handle = await open(path, 'r');
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (head.startsWith('[')) return 'json';
    if (/^[A-Za-z_"]/.test(head)) return 'csv';
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CandleFileError('file_unreadable', { file: path, line: 0, value: errno, expected: 'a readable candle file' }, { cause: error });
  } finally {
    await handle?.close();
  }
  throw new CandleFileError('unknown_format', { file: path, line: 1, expected: 'a .csv file with a header row or a .json array of [ts_ms, o, h, l, c, v] rows' });
}

/** Opens a candle file: finds its format (extension, else its first byte) and its symbol. */
export async function openCandleFile(path: string, options: CandleFileOptions = {}): Promise<CandleFile> {
  const format = await sniffFormat(path);
  const symbol = options.symbol ?? symbolFromFileName(path);
  if (symbol === undefined || !SYMBOL.test(symbol)) {
    throw new CandleFileError('bad_symbol', {
      file: path,
      line: 0,
      value: symbol ?? path,
      expected: 'a symbol like BTC/USDT or BTC-PERP: name the file BASE_QUOTE-1m.json or give the symbol explicitly',
    });
  }
  const intervalMs = options.intervalMs ?? MINUTE_MS;
  const reader = format === 'csv' ? readCsvBars : readJsonBars;
  const scanner = format === 'csv' ? scanCsvBars : scanJsonBars;
  return {
    path, format, symbol, intervalMs,
    bars: (onGap, fingerprint) => reader(path, { symbol, intervalMs, onGap, fingerprint }),
    scan: (visit, request = {}) => scanner(path, { symbol, intervalMs, fingerprint: request.fingerprint }, visit, request.probeOpenTime),
  };
}

/** Counts a file's bars and the holes between them, as its rows go by in order. */
class BarTally {
  bars = 0;
  first = Number.NaN;
  last = Number.NaN;
  gaps = 0;
  missingBars = 0;

  constructor(private readonly intervalMs: number) {}

  readonly visit = (openTime: number): void => {
    if (this.bars === 0) this.first = openTime;
    else if (openTime - this.last > this.intervalMs) {
      this.gaps++;
      this.missingBars += (openTime - this.last) / this.intervalMs - 1;
    }
    this.last = openTime;
    this.bars++;
  };

  summary(fingerprint: FingerprintHash, probedClose: Decimal | undefined): CandleFileSummary {
    return {
      bars: this.bars, firstOpenTime: this.first, lastOpenTime: this.last, gaps: this.gaps, missingBars: this.missingBars,
      fingerprint: fingerprint.digest(), ...(probedClose === undefined ? {} : { probedClose }),
    };
  }
}

/**
 * Reads a whole file once, checking every row, and counts its bars and gaps, fingerprinting the
 * bytes it read. A replay runs it before the first bar so a file corrupt at line 40,000 fails
 * before any trade rather than midway. `probeOpenTime`: a bar whose close the summary brings back.
 */
export async function scanCandleFile(file: CandleFile, probeOpenTime?: number): Promise<CandleFileSummary> {
  const tally = new BarTally(file.intervalMs);
  const fingerprint = new FingerprintHash();
  const probedClose = await file.scan(tally.visit, { probeOpenTime, fingerprint });
  return tally.summary(fingerprint, probedClose);
}

/** A file checked whole with its bars kept, so the replay that follows need not read it again. */
export interface LoadedCandleFile {
  readonly summary: CandleFileSummary;
  readonly batches: readonly (readonly Bar[])[];
}

/**
 * The preflight of scanCandleFile with every bar parsed and kept: for a file small enough to hold
 * in memory, one read instead of a scan and then a parse. `onGap` hears of each row after a gap,
 * as the replay's reader would tell it.
 */
export async function loadCandleFile(file: CandleFile, probeOpenTime: number | undefined, onGap: BarReaderOptions['onGap']): Promise<LoadedCandleFile> {
  const tally = new BarTally(file.intervalMs);
  const fingerprint = new FingerprintHash();
  const batches: (readonly Bar[])[] = [];
  let probedClose: Decimal | undefined;
  for await (const batch of file.bars(onGap, fingerprint)) {
    for (const bar of batch) {
      if (bar.openTime === probeOpenTime) probedClose = bar.close;
      tally.visit(bar.openTime);
    }
    batches.push(batch);
  }
  return { summary: tally.summary(fingerprint, probedClose), batches };
}
