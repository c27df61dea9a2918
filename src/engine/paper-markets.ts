import { Decimal } from '../domain/decimal.js';
import { marketRules, type MarketRules } from '../domain/market-rules.js';

/** One market the paper session trades: its rules and the unit its candles count volume in. */
export interface PaperMarketSpec {
  readonly rules: MarketRules;
  readonly candleVolumeIn: 'base' | 'quote';
}

interface KnownMarket {
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minQty: string;
  readonly minNotional: string;
  readonly candleVolumeIn: 'base' | 'quote';
}

/**
 * Rules of the markets whose candles we know (shared/data and the synthetic defaults). Fees are not
 * here: they come from the config (paper_exchange.*_fee_bps), so a change shows in the config audit.
 */
const KNOWN: Readonly<Record<string, KnownMarket>> = {
  // FTX's BTC-PERP: 0.5 USD ticks, 0.0001 BTC lots; its candle volume is in USD.
  'BTC/USD': { tickSize: '0.5', lotSize: '0.0001', minQty: '0.0001', minNotional: '5', candleVolumeIn: 'quote' },
  // The classic altcoin-in-BTC market: satoshi ticks, whole-unit lots, 0.001 BTC minimum order.
  'UNITTEST/BTC': { tickSize: '0.00000001', lotSize: '1', minQty: '1', minNotional: '0.001', candleVolumeIn: 'base' },
  'BTC/USDT': { tickSize: '0.01', lotSize: '0.00001', minQty: '0.00001', minNotional: '5', candleVolumeIn: 'base' },
  'ETH/USDT': { tickSize: '0.01', lotSize: '0.0001', minQty: '0.0001', minNotional: '5', candleVolumeIn: 'base' },
};

/** File-name symbols that are not BASE/QUOTE, with the market they are (the store and rules need both assets). */
export const SYMBOL_ALIASES: Readonly<Record<string, string>> = {
  'BTC-PERP': 'BTC/USD',
};

const BASE_QUOTE = /^([A-Z0-9]{1,20})\/([A-Z0-9]{1,20})$/;

/** What is wrong with the markets: one market, or how the replay's files go together. */
export type MarketSetupReason = 'unusable_market' | 'duplicate_symbol' | 'mixed_quotes';

export class MarketSetupError extends Error {
  readonly code = 'invalid_market' as const;
  readonly retryable = false;
  constructor(readonly symbol: string, message: string, readonly reason: MarketSetupReason = 'unusable_market') {
    super(message);
    this.name = 'MarketSetupError';
  }
}

/** A candle file to replay and the BASE/QUOTE symbol it is traded as. */
export interface ReplayMarket {
  readonly file: string;
  readonly symbol: string;
}

function quoteOf(symbol: string): string {
  return BASE_QUOTE.exec(symbol)?.[2] ?? symbol;
}

/** Each file's symbol relabelled to `quote`, a base repeated after relabelling made unique (BTC, BTC2). */
function relabelled(markets: readonly ReplayMarket[], quote: string): string[] {
  const taken = new Set<string>();
  return markets.map(({ symbol }) => {
    const base = BASE_QUOTE.exec(symbol)?.[1] ?? symbol;
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base.slice(0, 12 - String(n).length)}${n}`;
    taken.add(candidate);
    return `${candidate}/${quote}`;
  });
}

/**
 * Checks the files of a replay together, before anything starts, and reports everything wrong at
 * once: a market given by two files (each is a separate feed of that market), and files quoted in
 * different currencies (balances and PnL are counted in one, trading.quote_currency), with the
 * flags that replay them together. Throws a MarketSetupError; returns when they can go together.
 */
export function checkReplayMarkets(markets: readonly ReplayMarket[]): void {
  const lines: string[] = [];
  let reason: MarketSetupReason | undefined;
  const bySymbol = new Map<string, string[]>();
  for (const { file, symbol } of markets) bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), file]);
  const repeated = [...bySymbol].filter(([, files]) => files.length > 1);
  for (const [symbol, files] of repeated) {
    reason = 'duplicate_symbol';
    const same = new Set(files).size === 1;
    lines.push(same
      ? `--data ${files[0] ?? ''} is given ${files.length === 2 ? 'twice' : `${files.length} times`}; expected one file per symbol`
      : `--data ${files.join(' and ')} are ${files.length === 2 ? 'both' : 'all'} ${symbol}; expected one file per symbol: drop one, or give each its own --symbol`);
  }
  const quotes = new Set(markets.map((m) => quoteOf(m.symbol)));
  if (quotes.size > 1) {
    reason ??= 'mixed_quotes';
    const quote = quoteOf(markets[0]?.symbol ?? '');
    lines.push(
      `the --data files quote in different currencies (${[...quotes].join(', ')}), but a session counts balances and PnL in one, trading.quote_currency:`,
      ...markets.map((m) => `  ${m.file}: ${m.symbol}, quoted in ${quoteOf(m.symbol)}`),
    );
    if (repeated.length === 0) {
      const flags = relabelled(markets, quote).map((symbol) => `--symbol ${symbol}`).join(' ');
      lines.push(
        `to replay them together, label every file in one quote currency (one --symbol per --data, in order; prices are replayed as they are, not converted):`,
        `  ${flags} --set trading.quote_currency=${quote}`,
      );
    }
  }
  if (reason !== undefined) {
    const symbols = reason === 'duplicate_symbol' ? repeated.map(([symbol]) => symbol) : markets.map((m) => m.symbol);
    throw new MarketSetupError(symbols.join(','), lines.join('\n'), reason);
  }
}

/** `BTC-PERP` -> `BTC/USD`; a BASE/QUOTE symbol as is; anything else is an error naming it. */
export function tradedSymbol(symbol: string): string {
  const aliased = SYMBOL_ALIASES[symbol] ?? symbol;
  if (!BASE_QUOTE.test(aliased)) {
    throw new MarketSetupError(symbol, `symbol ${JSON.stringify(symbol)}: expected BASE/QUOTE (e.g. BTC/USDT) so balances can be kept per asset; pass --symbol BASE/QUOTE for this file`);
  }
  return aliased;
}

/**
 * Tick and lot for a market we know nothing about, from its price: about 7 significant digits of
 * price (the synthetic feed's grid) and a lot that buys ~1/1000 of the minimum order value.
 */
function derived(price: Decimal): KnownMarket {
  const magnitude = Math.floor(Math.log10(price.toNumber()));
  const lotExp = Math.min(0, Math.floor(Math.log10(5 / price.toNumber())) - 3);
  return { tickSize: pow10Text(Math.min(0, magnitude - 6)), lotSize: pow10Text(lotExp), minQty: pow10Text(lotExp), minNotional: '5', candleVolumeIn: 'base' };
}

/** 10^exp as decimal text, for exp <= 0: 0 -> `1`, -3 -> `0.001`. */
function pow10Text(exp: number): string {
  return exp >= 0 ? '1' : `0.${'0'.repeat(-exp - 1)}1`;
}

/**
 * The rules a paper session trades `symbol` under: known markets from the table, others derived
 * from the first price. `makerBps`/`takerBps` are the config's fees.
 */
export function paperMarketFor(symbol: string, fees: { makerBps: number; takerBps: number }, firstPrice?: Decimal): PaperMarketSpec {
  const match = BASE_QUOTE.exec(symbol);
  if (!match?.[1] || !match[2]) throw new MarketSetupError(symbol, `symbol ${JSON.stringify(symbol)}: expected BASE/QUOTE`);
  let known = KNOWN[symbol];
  if (!known) {
    if (!firstPrice?.isPositive()) throw new MarketSetupError(symbol, `no market rules known for ${symbol} and no price to derive them from`);
    known = derived(firstPrice);
  }
  const rate = (bps: number) => Decimal.from(bps).div(Decimal.from(10_000), 8);
  const result = marketRules({
    baseAsset: match[1], quoteAsset: match[2], tickSize: known.tickSize, lotSize: known.lotSize, minQty: known.minQty,
    minNotional: known.minNotional, makerFeeRate: rate(fees.makerBps), takerFeeRate: rate(fees.takerBps),
  });
  if (!result.ok) throw new MarketSetupError(symbol, `${symbol}: ${result.error.message}`);
  return { rules: result.value, candleVolumeIn: known.candleVolumeIn };
}
