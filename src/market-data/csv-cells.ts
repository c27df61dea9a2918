const EXACT_POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** A character that is plainly not whitespace: printable ASCII. Anything else leaves trimming to String.trim. */
function plain(code: number): boolean {
  return code > 32 && code < 127;
}

/**
 * The cells of one CSV row, located in place: where each starts and ends, without the array and
 * substrings of `split(',')` (a third of a row's reading time, measured on the BTC month). A cell's
 * text is made only when it is asked for.
 */
export class CsvCells {
  private text = '';
  private readonly bounds: Int32Array;
  /** Cells in the current row, counted to the end even past `width`. */
  count = 0;

  /** `width`: the cells a row should have (the header's); the bounds of that many are kept. */
  constructor(readonly width: number) {
    this.bounds = new Int32Array(2 * width);
  }

  /** Locates the cells of `text` (a row without its line end). Returns how many there are. */
  locate(text: string): number {
    this.text = text;
    let start = 0;
    let cell = 0;
    for (;;) {
      const comma = text.indexOf(',', start);
      const end = comma < 0 ? text.length : comma;
      if (cell < this.width) {
        this.bounds[2 * cell] = start;
        this.bounds[2 * cell + 1] = end;
      }
      cell++;
      if (comma < 0) break;
      start = comma + 1;
    }
    this.count = cell;
    return cell;
  }

  private start(cell: number): number {
    return this.bounds[2 * cell] ?? 0;
  }

  private end(cell: number): number {
    return this.bounds[2 * cell + 1] ?? 0;
  }

  /** The cell's text, trimmed as String.trim does. */
  textOf(cell: number): string {
    if (cell >= this.count || cell >= this.width) return '';
    const start = this.start(cell);
    const end = this.end(cell);
    const raw = this.text.slice(start, end);
    return end > start && plain(this.text.charCodeAt(start)) && plain(this.text.charCodeAt(end - 1)) ? raw : raw.trim();
  }

  /**
   * The cell as a double when it is plain `123.45` text (at most 15 digits, digits on both sides of
   * a dot, nothing around them), NaN for anything else. Its digits as an integer and the power of
   * ten are both exact doubles, so their quotient is the correctly rounded value Number(text) gives.
   */
  plainNumber(cell: number): number {
    if (cell >= this.count || cell >= this.width) return Number.NaN;
    const text = this.text;
    const start = this.start(cell);
    const end = this.end(cell);
    let units = 0;
    let dot = -1;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) units = units * 10 + (c - 48);
      else if (c === 46 && dot < 0 && i > start) dot = i;
      else return Number.NaN;
    }
    const length = end - start;
    const digits = dot < 0 ? length : length - 1;
    if (digits === 0 || digits > 15 || dot === end - 1) return Number.NaN;
    return dot < 0 ? units : units / (EXACT_POWERS[end - dot - 1] ?? Number.NaN);
  }

  /** Whether two cells hold the very same characters. */
  same(a: number, b: number): boolean {
    if (a >= this.width || b >= this.width) return false;
    const aStart = this.start(a);
    const bStart = this.start(b);
    const length = this.end(a) - aStart;
    if (this.end(b) - bStart !== length) return false;
    const text = this.text;
    for (let i = 0; i < length; i++) if (text.charCodeAt(aStart + i) !== text.charCodeAt(bStart + i)) return false;
    return true;
  }
}
