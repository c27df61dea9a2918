/** What a candle file reader needs beyond the file: the symbol its bars get and the bar grid. */
export interface BarReaderOptions {
  readonly symbol: string;
  /** The bar interval; open times must sit on its grid. */
  readonly intervalMs: number;
}
