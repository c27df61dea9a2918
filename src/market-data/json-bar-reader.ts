import { readFile } from 'node:fs/promises';
import type { Decimal } from '../domain/decimal.js';
import type { Bar } from './bar.js';
import { checkCandle, checkSequence, type BarProblem } from './bar-checks.js';
import type { BarReaderOptions } from './bar-reader-options.js';
import { CandleFileError } from './candle-file-error.js';
import { readDecimalField } from './decimal-field.js';
import { readTimestampField } from './timestamp-field.js';

const FIELDS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
const LAYOUT = 'a JSON array of [ts_ms, open, high, low, close, volume] rows';
const BATCH = 4096;
const OPEN = 91; // [
const CLOSE = 93; // ]
const COMMA = 44;
const ROW_EXPECTED = `a row [ts_ms, open, high, low, close, volume] (${LAYOUT})`;
const COMMA_EXPECTED = FIELDS.map((f, i) => `${FIELDS.length} values per row; ${FIELDS[i - 1] ?? ''} must be followed by ${f}`);
const CLOSE_EXPECTED = `exactly ${FIELDS.length} values per row (${FIELDS.join(', ')})`;

/**
 * Scans the JSON array layout by hand because JSON.parse would turn every price into a float
 * before we see it; here each number's text goes straight to a Decimal. Values may be JSON
 * numbers or strings holding numbers (some exchanges quote them).
 */
class JsonRows {
  private pos = 0;
  private row = 0;
  private rowStart = 0;
  /** The line reached by lineSince, and the offset of the next newline (-1: none left, -2: not looked for yet). */
  private line = 1;
  private nextNewline = -2;
  previous: number | undefined;

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly options: BarReaderOptions,
    /** Bytes of the file before `text` (a byte-order mark), for the probe's row end. */
    private readonly byteBase = 0,
  ) {}

  /** 1-based line of an offset, counted only when an error needs it. */
  private lineAt(offset: number): number {
    let line = 1;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) line++;
    return line;
  }

  /**
   * 1-based line of an offset at or after the last one asked, for the rows after gaps: each newline
   * is looked for once, so all of them together cost one pass, even in a file of one long line.
   */
  private lineSince(offset: number): number {
    const t = this.text;
    if (this.nextNewline === -2) this.nextNewline = t.indexOf('\n');
    while (this.nextNewline >= 0 && this.nextNewline < offset) {
      this.line++;
      this.nextNewline = t.indexOf('\n', this.nextNewline + 1);
    }
    return this.line;
  }

  private fail(problem: BarProblem, offset = this.pos): never {
    const row = this.row > 0 ? ` (row ${this.row})` : '';
    throw new CandleFileError(problem.code, { file: this.file, line: this.lineAt(offset), ...problem, expected: problem.expected + row });
  }

  private skipSpace(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++this.pos);
  }

  /** Consumes `char` (a char code) after optional space; `what` is built only for the error. */
  private expect(char: number, what: string | (() => string)): void {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== char) {
      this.fail({ code: 'bad_row', value: this.text.slice(this.pos, this.pos + 20), expected: typeof what === 'string' ? what : what() });
    }
    this.pos++;
  }

  /** The raw text of the next scalar (number token or the inside of a string). */
  private token(column: string): string {
    this.skipSpace();
    const t = this.text;
    if (t.charCodeAt(this.pos) === 34 /* '"' */) {
      const end = t.indexOf('"', this.pos + 1);
      if (end < 0) this.fail({ code: 'bad_value', column, value: t.slice(this.pos, this.pos + 20), expected: 'a closed string' });
      const value = t.slice(this.pos + 1, end);
      this.pos = end + 1;
      return value;
    }
    const start = this.pos;
    let c = t.charCodeAt(this.pos);
    // digits, '.', '-', '+', 'e', 'E'
    while ((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69) c = t.charCodeAt(++this.pos);
    if (this.pos === start) this.fail({ code: 'bad_value', column, value: t.slice(start, start + 20), expected: 'a number' });
    return t.slice(start, this.pos);
  }

  private decimal(column: string): Decimal {
    const start = this.pos;
    const text = this.token(column);
    const value = readDecimalField(text);
    return typeof value === 'string' ? this.fail({ code: 'bad_value', column, value: text, expected: value }, start) : value;
  }

  private bar(): Bar {
    // The row starts at its '[', not at the space before it: a row on a line of its own is named by that line.
    this.skipSpace();
    this.rowStart = this.pos;
    this.expect(OPEN, ROW_EXPECTED);
    const stamp = this.token('timestamp');
    const openTime = readTimestampField(stamp);
    if (typeof openTime === 'string') this.fail({ code: 'bad_value', column: 'timestamp', value: stamp, expected: openTime }, this.rowStart);
    const values: Decimal[] = [];
    for (let i = 1; i < FIELDS.length; i++) {
      this.expect(COMMA, COMMA_EXPECTED[i] ?? LAYOUT);
      values.push(this.decimal(FIELDS[i] ?? ''));
    }
    this.expect(CLOSE, CLOSE_EXPECTED);
    const [open, high, low, close, volume] = values as [Decimal, Decimal, Decimal, Decimal, Decimal];
    return { symbol: this.options.symbol, openTime, open, high, low, close, volume };
  }

  *batches(): Generator<readonly Bar[]> {
    this.expect(OPEN, LAYOUT);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE) this.fail({ code: 'empty_file', value: '[]', expected: 'at least one candle row' });
    let batch: Bar[] = [];
    for (;;) {
      this.row++;
      const bar = this.bar();
      const problem = checkSequence(this.previous, bar.openTime, this.options.intervalMs) ?? checkCandle(bar);
      if (problem) this.fail(problem, this.rowStart);
      const previous = this.previous;
      if (previous !== undefined && bar.openTime - previous > this.options.intervalMs) this.options.onGap?.(bar.openTime, this.lineSince(this.rowStart), this.row);
      this.previous = bar.openTime;
      batch.push(bar);
      // The row's text ends at its ']'; its bytes counted once, for the one row probed.
      if (bar.openTime === this.options.probe?.openTime) this.options.probe.found(this.byteBase + Buffer.byteLength(this.text.slice(0, this.pos)));
      if (batch.length === BATCH) {
        yield batch;
        batch = [];
      }
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) === CLOSE) break;
      this.expect(COMMA, () => `',' or ']' after row ${this.row}`);
    }
    this.pos++;
    this.skipSpace();
    if (this.pos < this.text.length) this.fail({ code: 'bad_row', value: this.text.slice(this.pos, this.pos + 20), expected: 'the end of the file after the closing ]' });
    if (batch.length > 0) yield batch;
  }
}

/** The file's text; its bytes go to the fingerprint first. The buffer is not kept past the decoding. */
async function readText(file: string, options: BarReaderOptions): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CandleFileError('file_unreadable', { file, line: 0, value: errno, expected: 'a readable candle file' }, { cause: error });
  }
  options.fingerprint?.update(bytes);
  return bytes.toString('utf8');
}

/**
 * Reads a JSON candle file (`[[ts_ms, o, h, l, c, v], ...]`, the OHLCV layout of exchange APIs) as
 * batches of bars. The whole text is read at once (the layout has no line structure to stream
 * on); checks and errors are those of the CSV reader.
 */
export async function* readJsonBars(file: string, options: BarReaderOptions): AsyncGenerator<readonly Bar[]> {
  const text = await readText(file, options);
  if (text.trim() === '') throw new CandleFileError('empty_file', { file, line: 0, expected: LAYOUT });
  const bom = text.charCodeAt(0) === 0xfeff;
  yield* new JsonRows(file, bom ? text.slice(1) : text, options, bom ? 3 : 0).batches();
}

/**
 * Checks a whole JSON file as readJsonBars does (it is that read), calling `visit` with each row's
 * open time; returns the close of the row opening at `probeOpenTime`, if the file holds one.
 */
export async function scanJsonBars(file: string, options: BarReaderOptions, visit: (openTime: number) => void, probeOpenTime?: number): Promise<Decimal | undefined> {
  let probed: Decimal | undefined;
  for await (const batch of readJsonBars(file, options)) {
    for (const bar of batch) {
      if (bar.openTime === probeOpenTime) probed = bar.close;
      visit(bar.openTime);
    }
  }
  return probed;
}
