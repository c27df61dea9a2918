import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Decimal } from '../domain/decimal.js';
import type { Bar } from './bar.js';
import { checkCandle, checkSequence, type BarProblem } from './bar-checks.js';
import type { BarReaderOptions } from './bar-reader-options.js';
import { CandleFileError } from './candle-file-error.js';
import { CsvCells } from './csv-cells.js';
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
  private cells = new CsvCells(0);
  private blankLine = 0;
  /** Byte offset of the next line's start, counted only for a probe (see BarReaderOptions.probe). */
  private offset = 0;

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
    this.cells = new CsvCells(names.length);
  }

  /** The close of the row `line` or `scan` read last (a candle row: they returned its open time). */
  lastClose(): Decimal | undefined {
    return this.index === undefined ? undefined : this.decimal(this.index, 'close');
  }

  private decimal(index: Readonly<Record<Column, number>>, column: Column): Decimal {
    const text = this.cells.textOf(index[column]);
    const value = readDecimalField(text);
    return typeof value === 'string' ? this.fail({ code: 'bad_value', column, value: text, expected: value }) : value;
  }

  /** Reads one line; a candle row is appended to `batch`. */
  line(raw: string, batch: Bar[]): void {
    if (this.options.probe === undefined) this.read(raw, batch);
    else this.probed(raw, () => {
      const before = batch.length;
      this.read(raw, batch);
      return batch.length > before ? batch[batch.length - 1]?.openTime : undefined;
    });
  }

  /** Runs `read` on the line `raw`, keeping count of its bytes; tells the probe where its row ends. */
  private probed<T extends number | undefined>(raw: string, read: () => T): T {
    const start = this.offset;
    const bytes = Buffer.byteLength(raw);
    this.offset += bytes + 1;
    const openTime = read();
    if (openTime !== undefined && openTime === this.options.probe?.openTime) this.options.probe.found(start + bytes);
    return openTime;
  }

  private read(raw: string, batch: Bar[]): void {
    this.lineNumber++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') {
      if (this.blankLine === 0) this.blankLine = this.lineNumber;
      return;
    }
    if (this.blankLine !== 0) {
      this.fail({ code: 'bad_row', value: '', expected: 'a candle row (blank lines may only end the file)' }, this.blankLine);
    }
    const index = this.index;
    if (index === undefined) {
      this.header(this.lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      return;
    }
    const found = this.cells.locate(text);
    if (found !== this.cells.width) {
      this.fail({ code: 'bad_row', value: text, expected: `${this.cells.width} comma-separated columns as in the header, found ${found}` });
    }
    const stamp = this.cells.textOf(index.timestamp);
    const openTime = readTimestampField(stamp);
    if (typeof openTime === 'string') this.fail({ code: 'bad_value', column: 'timestamp', value: stamp, expected: openTime });
    const bar: Bar = {
      symbol: this.options.symbol,
      openTime,
      open: this.decimal(index, 'open'),
      high: this.decimal(index, 'high'),
      low: this.decimal(index, 'low'),
      close: this.decimal(index, 'close'),
      volume: this.decimal(index, 'volume'),
    };
    const problem = checkSequence(this.previous, openTime, this.options.intervalMs) ?? checkCandle(bar);
    if (problem) this.fail(problem);
    const previous = this.previous;
    if (previous !== undefined && openTime - previous > this.options.intervalMs) this.options.onGap?.(openTime, this.lineNumber);
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
    return this.options.probe === undefined ? this.scanLine(raw, scratch) : this.probed(raw, () => this.scanLine(raw, scratch));
  }

  private scanLine(raw: string, scratch: Bar[]): number | undefined {
    const index = this.index;
    if (index === undefined || this.blankLine !== 0) return this.exactly(raw, scratch);
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cells = this.cells;
    if (cells.locate(text) !== this.cells.width) return this.exactly(raw, scratch);
    const openTime = readTimestampField(cells.textOf(index.timestamp));
    if (typeof openTime === 'string' || checkSequence(this.previous, openTime, this.options.intervalMs)) return this.exactly(raw, scratch);
    const low = cells.plainNumber(index.low);
    const high = cells.plainNumber(index.high);
    // NaN (not plain text) fails every comparison and falls back too.
    if (!(low > 0 && atMost(cells, index.low, low, index.high, high) && cells.plainNumber(index.volume) >= 0)) return this.exactly(raw, scratch);
    const open = cells.plainNumber(index.open);
    const close = cells.plainNumber(index.close);
    if (!(atMost(cells, index.low, low, index.open, open) && atMost(cells, index.open, open, index.high, high))) return this.exactly(raw, scratch);
    if (!(atMost(cells, index.low, low, index.close, close) && atMost(cells, index.close, close, index.high, high))) return this.exactly(raw, scratch);
    this.lineNumber++;
    this.previous = openTime;
    return openTime;
  }

  private exactly(raw: string, scratch: Bar[]): number | undefined {
    this.read(raw, scratch);
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
function atMost(cells: CsvCells, aCell: number, a: number, bCell: number, b: number): boolean {
  return a < b || (a === b && cells.same(aCell, bCell));
}

/**
 * The file's lines, a read chunk's worth at a time; an unreadable file is a CandleFileError. The
 * bytes are decoded here (as the stream's own utf8 decoding would) so a fingerprint can see them.
 */
async function* lineChunks(file: string, rows: CsvRows, fingerprint: BarReaderOptions['fingerprint']): AsyncGenerator<readonly string[]> {
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      fingerprint?.update(chunk);
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      yield lines;
    }
    rest += decoder.end();
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
  for await (const lines of lineChunks(file, rows, options.fingerprint)) {
    const batch: Bar[] = [];
    for (const line of lines) rows.line(line, batch);
    if (batch.length > 0) yield batch;
  }
  rows.finish();
}

/**
 * Checks a whole CSV file as readCsvBars would (the same errors, file, line, column and value),
 * calling `visit` with each row's open time, at a fraction of the cost: the preflight of a replay.
 * Returns the close of the row opening at `probeOpenTime`, if the file holds one: only that row's
 * close is read exactly, the others cost one comparison of their time.
 */
export async function scanCsvBars(file: string, options: BarReaderOptions, visit: (openTime: number) => void, probeOpenTime?: number): Promise<Decimal | undefined> {
  const rows = new CsvRows(file, options);
  const scratch: Bar[] = [];
  let probed: Decimal | undefined;
  for await (const lines of lineChunks(file, rows, options.fingerprint)) {
    for (const line of lines) {
      const openTime = rows.scan(line, scratch);
      if (openTime === undefined) continue;
      if (openTime === probeOpenTime) probed = rows.lastClose();
      visit(openTime);
    }
  }
  rows.finish();
  return probed;
}
