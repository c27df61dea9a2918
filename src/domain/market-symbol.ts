/** A market symbol's two assets: BTC/USDT buys and sells BTC (base), priced and paid in USDT (quote). */
export interface MarketAssets {
  readonly base: string;
  readonly quote: string;
}

/**
 * The assets of a `BASE/QUOTE` symbol, or undefined when it is not one. The one reading of a
 * symbol: a market's realized PnL, fees and unrealized PnL are in its quote currency, and every
 * reader must agree on which that is. Where a MarketRules is at hand, its quoteAsset says the same.
 */
export function splitSymbol(symbol: string): MarketAssets | undefined {
  const slash = symbol.indexOf('/');
  if (slash <= 0 || slash === symbol.length - 1 || symbol.includes('/', slash + 1)) return undefined;
  return { base: symbol.slice(0, slash), quote: symbol.slice(slash + 1) };
}
