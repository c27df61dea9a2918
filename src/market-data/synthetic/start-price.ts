/** Where a synthetic market starts when not told: near real prices, so sizing and precision are realistic. */
const KNOWN: Readonly<Record<string, string>> = { BTC: '40000', ETH: '2500' };
const DEFAULT_PRICE = '100';

/** The base asset of `BTC/USDT`, `BTC-PERP`, `ETH_USDT` or `BTCUSDT`. */
function baseAsset(symbol: string): string {
  const upper = symbol.toUpperCase();
  const base = upper.split(/[-/_:]/)[0] ?? upper;
  if (base !== upper) return base;
  return Object.keys(KNOWN).find((known) => upper.startsWith(known)) ?? upper;
}

/** Decimal text of the start price for `symbol`: BTC 40000, ETH 2500, anything else 100. */
export function defaultStartPrice(symbol: string): string {
  return KNOWN[baseAsset(symbol)] ?? DEFAULT_PRICE;
}
