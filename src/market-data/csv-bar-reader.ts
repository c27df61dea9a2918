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
}

/**
 * Streams a CSV candle file (header row, then `timestamp,open,high,low,close,volume` in any column
 * order) as batches of bars, one batch per chunk read, so a file of any size replays in constant
 * memory. Every row is checked: a bad one throws a CandleFileError naming the file, line, column
 * and value; nothing is skipped.
 */
export async function* readCsvBars(file: string, options: BarReaderOptions): AsyncGenerator<readonly Bar[]> {
  const rows = new CsvRows(file, options);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk;
      const batch: Bar[] = [];
      let start = 0;
      for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
        rows.line(text.slice(start, newline), batch);
        start = newline + 1;
      }
      rest = text.slice(start);
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (error instanceof CandleFileError) throw error;
    const errno = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CandleFileError('file_unreadable', { file, line: rows.lineNumber, value: errno, expected: 'a readable candle file' }, { cause: error });
  } finally {
    stream.destroy();
  }
  const last: Bar[] = [];
  if (rest !== '') rows.line(rest, last);
  if (!rows.sawHeader) throw new CandleFileError('empty_file', { file, line: 0, expected: HEADER_EXPECTED });
  if (rows.previous === undefined) {
    throw new CandleFileError('empty_file', { file, line: rows.lineNumber, expected: 'at least one candle row after the header' });
  }
  if (last.length > 0) yield last;
}
