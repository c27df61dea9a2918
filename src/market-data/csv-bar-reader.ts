import { createReadStream } from 'node:fs';
import type { Decimal } from '../domain/decimal.js';
import type { Bar } from './bar.js';
import { checkCandle, checkSequence, type BarProblem } from './bar-checks.js';
import type { BarReaderOptions } from './bar-reader-options.js';
import { CandleFileError } from './candle-file-error.js';
import { readDecimalField } from './decimal-field.js';
import { readTimestampField } from './timestamp-field.js';

const COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
type Column = (typeof COLUMNS)[number];
/** Other names exports use for the time column. */
const TIME_ALIASES = new Set(['timestamp', 'time', 'date', 'datetime', 'open_time', 'ts']);
const HEADER_EXPECTED = `a header row naming the columns ${COLUMNS.join(',')}`;

/** Reads the rows of one CSV file, line by line, remembering where it is for its errors. */
class CsvRows {
  lineNumber = 0;
  previous: number | undefined;
  private index: Readonly<Record<Column, number>> | undefined;
  private width = 0;
  private blankLine = 0;

  constructor(
    private readonly file: string,
    private readonly options: BarReaderOptions,
  ) {}

  get sawHeader(): boolean {
    return this.index !== undefined;
  }

  private fail(problem: BarProblem, line = this.lineNumber): never {
    throw new CandleFileError(problem.code, { file: this.file, line, ...problem });
  }

  private header(text: string): void {
    const names = text.split(',').map((name) => name.trim().toLowerCase());
    const index: Partial<Record<Column, number>> = {};
    names.forEach((name, i) => {
      const column = TIME_ALIASES.has(name) ? 'timestamp' : COLUMNS.find((c) => c === name);
      if (column !== undefined && index[column] === undefined) index[column] = i;
    });
    const missing = COLUMNS.filter((c) => index[c] === undefined);
    if (missing.length > 0) {
      this.fail({ code: 'bad_header', column: missing.join(','), value: text, expected: `${HEADER_EXPECTED} (missing: ${missing.join(', ')})` });
    }
    this.index = index as Record<Column, number>;
    this.width = names.length;
  }

  private decimal(cells: readonly string[], index: Readonly<Record<Column, number>>, column: Column): Decimal {
    const text = (cells[index[column]] ?? '').trim();
    const value = readDecimalField(text);
    return typeof value === 'string' ? this.fail({ code: 'bad_value', column, value: text, expected: value }) : value;
  }

  /** Reads one line; a candle row is appended to `batch`. */
  line(raw: string, batch: Bar[]): void {
    this.lineNumber++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') {
      if (this.blankLine === 0) this.blankLine = this.lineNumber;
      return;
    }
    if (this.blankLine !== 0) {
      this.fail({ code: 'bad_row', column: '', value: '', expected: 'a candle row (blank lines may only end the file)' }, this.blankLine);
    }
    const index = this.index;
    if (index === undefined) {
      this.header(this.lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      return;
    }
    const cells = text.split(',');
    if (cells.length !== this.width) {
      this.fail({ code: 'bad_row', column: '', value: text, expected: `${this.width} comma-separated columns as in the header, found ${cells.length}` });
    }
    const stamp = (cells[index.timestamp] ?? '').trim();
    const openTime = readTimestampField(stamp);
    if (typeof openTime === 'string') this.fail({ code: 'bad_value', column: 'timestamp', value: stamp, expected: openTime });
    const bar: Bar = {
      symbol: this.options.symbol,
      openTime,
      open: this.decimal(cells, index, 'open'),
      high: this.decimal(cells, index, 'high'),
      low: this.decimal(cells, index, 'low'),
      close: this.decimal(cells, index, 'close'),
      volume: this.decimal(cells, index, 'volume'),
    };
    const problem = checkSequence(this.previous, openTime, this.options.intervalMs) ?? checkCandle(bar);
    if (problem) this.fail(problem);
    this.previous = openTime;
    batch.push(bar);
  }

  /**
   * Checks one line as `line` does, without building the bar when the row is plainly fine: plain
   * digits, prices inside low..high as doubles (exact decimals in that order round to doubles in
   * the same order, so a strict double order proves the exact one; a tie counts only between
   * identical texts). Anything else (the header, a blank, an exponent, a tie of different texts, a
   * bad value) goes through `line`, which decides exactly and names the problem. Returns the row's
   * open time, undefined for a line without a candle.
   */
  scan(raw: string, scratch: Bar[]): number | undefined {
    const index = this.index;
    if (index === undefined || this.blankLine !== 0) return this.exactly(raw, scratch);
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cells = text.split(',');
    if (cells.length !== this.width) return this.exactly(raw, scratch);
    const openTime = readTimestampField((cells[index.timestamp] ?? '').trim());
    if (typeof openTime === 'string' || checkSequence(this.previous, openTime, this.options.intervalMs)) return this.exactly(raw, scratch);
    const lowText = cells[index.low] ?? '';
    const highText = cells[index.high] ?? '';
    const low = plainNumber(lowText);
    const high = plainNumber(highText);
    // NaN (not plain text) fails every comparison and falls back too.
    if (!(low > 0 && atMost(lowText, low, highText, high) && plainNumber(cells[index.volume]) >= 0)) return this.exactly(raw, scratch);
    const openText = cells[index.open] ?? '';
    const closeText = cells[index.close] ?? '';
    const open = plainNumber(openText);
    const close = plainNumber(closeText);
    if (!(atMost(lowText, low, openText, open) && atMost(openText, open, highText, high))) return this.exactly(raw, scratch);
    if (!(atMost(lowText, low, closeText, close) && atMost(closeText, close, highText, high))) return this.exactly(raw, scratch);
    this.lineNumber++;
    this.previous = openTime;
    return openTime;
  }

  private exactly(raw: string, scratch: Bar[]): number | undefined {
    this.line(raw, scratch);
    return scratch.pop()?.openTime;
  }

  /** After the last line: a file with no header or no candle row is refused. */
  finish(): void {
    if (!this.sawHeader) throw new CandleFileError('empty_file', { file: this.file, line: 0, expected: HEADER_EXPECTED });
    if (this.previous === undefined) {
      throw new CandleFileError('empty_file', { file: this.file, line: this.lineNumber, expected: 'at least one candle row after the header' });
    }
  }
}

/**
 * a <= b proven from doubles: a strictly smaller double, or the very same text. Equal doubles of
 * different texts (`5` and `5.0`, or digits beyond a double's precision) are left to the exact path.
 */
function atMost(aText: string, a: number, bText: string, b: number): boolean {
  return a < b || (a === b && aText === bText);
}

const EXACT_POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `123.45`-style text (at most 15 digits, digits on both sides of a dot) as a double, NaN for any
 * other text. Its digits as an integer and the power of ten are both exact doubles, so their
 * quotient is the correctly rounded value, the same double Number(text) gives.
 */
function plainNumber(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const length = text.length;
  let units = 0;
  let dot = -1;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) units = units * 10 + (c - 48);
    else if (c === 46 && dot < 0 && i > 0) dot = i;
    else return Number.NaN;
  }
  const digits = dot < 0 ? length : length - 1;
  if (digits === 0 || digits > 15 || dot === length - 1) return Number.NaN;
  return dot < 0 ? units : units / (EXACT_POWERS[length - dot - 1] ?? Number.NaN);
}

/** The file's lines, a read chunk's worth at a time; an unreadable file is a CandleFileError. */
async function* lineChunks(file: string, rows: CsvRows): AsyncGenerator<readonly string[]> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      yield lines;
    }
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CandleFileError('file_unreadable', { file, line: rows.lineNumber, value: errno, expected: 'a readable candle file' }, { cause: error });
  } finally {
    stream.destroy();
  }
  if (rest !== '') yield [rest];
}

/**
 * Streams a CSV candle file (header row, then `timestamp,open,high,low,close,volume` in any column
 * order) as batches of bars, one batch per chunk read, so a file of any size replays in constant
 * memory. Every row is checked: a bad one throws a CandleFileError naming the file, line, column
 * and value; nothing is skipped.
 */
export async function* readCsvBars(file: string, options: BarReaderOptions): AsyncGenerator<readonly Bar[]> {
  const rows = new CsvRows(file, options);
  for await (const lines of lineChunks(file, rows)) {
    const batch: Bar[] = [];
    for (const line of lines) rows.line(line, batch);
    if (batch.length > 0) yield batch;
  }
  rows.finish();
}

/**
 * Checks a whole CSV file as readCsvBars would (the same errors, file, line, column and value),
 * calling `visit` with each row's open time, at a fraction of the cost: the preflight of a replay.
 */
export async function scanCsvBars(file: string, options: BarReaderOptions, visit: (openTime: number) => void): Promise<void> {
  const rows = new CsvRows(file, options);
  const scratch: Bar[] = [];
  for await (const lines of lineChunks(file, rows)) {
    for (const line of lines) {
      const openTime = rows.scan(line, scratch);
      if (openTime !== undefined) visit(openTime);
    }
  }
  rows.finish();
}
