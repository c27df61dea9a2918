import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Decimal } from '../domain/decimal.js';
import { MINUTE_MS, type Bar } from './bar.js';
import type { BarReaderOptions, RowProbe } from './bar-reader-options.js';
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
   * `fingerprint` is fed the bytes read; `probe` is told where its row ends.
   */
  bars(onGap?: BarReaderOptions['onGap'], fingerprint?: FingerprintHash, probe?: RowProbe): AsyncIterable<readonly Bar[]>;
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
  /** Told where the probed row ends, in bytes (see BarReaderOptions.probe). */
  readonly probe?: RowProbe | undefined;
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
  /** Where the probed bar's row ends in the file, in bytes (its line break not included). */
  readonly probedRowEnd?: number;
  /** The sha256 of the file's first N bytes, per N asked for (those the file has). */
  readonly prefixes: ReadonlyMap<number, string>;
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
    bars: (onGap, fingerprint, probe) => reader(path, { symbol, intervalMs, onGap, fingerprint, probe }),
    scan: (visit, request = {}) => scanner(path, { symbol, intervalMs, fingerprint: request.fingerprint, probe: request.probe }, visit, request.probeOpenTime),
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

  summary(fingerprint: FingerprintHash, probedClose: Decimal | undefined, probedRowEnd: number | undefined, asked: readonly number[]): CandleFileSummary {
    const prefixes = new Map<number, string>();
    for (const bytes of asked) {
      const sha256 = fingerprint.prefixAt(bytes);
      if (sha256 !== undefined) prefixes.set(bytes, sha256);
    }
    return {
      bars: this.bars, firstOpenTime: this.first, lastOpenTime: this.last, gaps: this.gaps, missingBars: this.missingBars,
      fingerprint: fingerprint.digest(), ...(probedClose === undefined ? {} : { probedClose }), ...(probedRowEnd === undefined ? {} : { probedRowEnd }), prefixes,
    };
  }
}

/** A probe of the row opening at `openTime` (none without one): where its row ends, once read. */
function rowEndProbe(openTime: number | undefined): { readonly probe: RowProbe | undefined; readonly end: () => number | undefined } {
  if (openTime === undefined) return { probe: undefined, end: () => undefined };
  let end: number | undefined;
  return { probe: { openTime, found: (at) => (end = at) }, end: () => end };
}

/**
 * Reads a whole file once, checking every row, and counts its bars and gaps, fingerprinting the
 * bytes it read. A replay runs it before the first bar so a file corrupt at line 40,000 fails
 * before any trade rather than midway. `probeOpenTime`: a bar whose close (and row end) the
 * summary brings back; `prefixes`: byte counts whose prefix hash it brings back.
 */
export async function scanCandleFile(file: CandleFile, probeOpenTime?: number, prefixes: readonly number[] = []): Promise<CandleFileSummary> {
  const tally = new BarTally(file.intervalMs);
  const fingerprint = new FingerprintHash(prefixes);
  const { probe, end } = rowEndProbe(probeOpenTime);
  const probedClose = await file.scan(tally.visit, { probeOpenTime, fingerprint, probe });
  return tally.summary(fingerprint, probedClose, end(), prefixes);
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
export async function loadCandleFile(file: CandleFile, probeOpenTime: number | undefined, onGap: BarReaderOptions['onGap'], prefixes: readonly number[] = []): Promise<LoadedCandleFile> {
  const tally = new BarTally(file.intervalMs);
  const fingerprint = new FingerprintHash(prefixes);
  const { probe, end } = rowEndProbe(probeOpenTime);
  const batches: (readonly Bar[])[] = [];
  let probedClose: Decimal | undefined;
  for await (const batch of file.bars(onGap, fingerprint, probe)) {
    for (const bar of batch) {
      if (bar.openTime === probeOpenTime) probedClose = bar.close;
      tally.visit(bar.openTime);
    }
    batches.push(batch);
  }
  return { summary: tally.summary(fingerprint, probedClose, end(), prefixes), batches };
}
