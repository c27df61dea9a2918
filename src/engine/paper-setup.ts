import type { Config } from '../config/schema.js';
import { Decimal } from '../domain/decimal.js';
import type { MarketRules } from '../domain/market-rules.js';
import type { FaultOptions } from '../execution/paper/fault-injector.js';
import { defaultStartPrice, openCandleFile, ReplayFeed, SyntheticFeed, type MarketFeed, type ReplaySpeed, type StalenessTracker } from '../market-data/index.js';
import type { Recorder } from '../recorder/recorder.js';
import type { ResumePlan } from './resume-plan.js';
import { MarketSetupError, paperMarketFor, tradedSymbol, type PaperMarketSpec } from './paper-markets.js';

/** Where the session's bars come from. */
export type FeedChoice =
  | { readonly kind: 'replay'; readonly files: readonly string[]; readonly symbols?: readonly string[] }
  | { readonly kind: 'synthetic'; readonly symbols: readonly string[] };

/** The symbol each candle file is traded as: given, else from its name (aliases like BTC-PERP -> BTC/USD). */
export async function replaySymbols(files: readonly string[], given?: readonly string[]): Promise<string[]> {
  if (given !== undefined && given.length !== files.length) {
    throw new MarketSetupError(given.join(','), `${given.length} --symbol for ${files.length} --data files: give one symbol per file, in order, or none`);
  }
  const symbols: string[] = [];
  for (const [i, file] of files.entries()) {
    const opened = await openCandleFile(file, given?.[i] === undefined ? {} : { symbol: given[i] });
    symbols.push(tradedSymbol(opened.symbol));
  }
  return symbols;
}

async function firstClose(file: string, symbol: string): Promise<Decimal | undefined> {
  const opened = await openCandleFile(file, { symbol });
  for await (const batch of opened.bars()) if (batch[0]) return batch[0].close;
  return undefined;
}

/** Market rules of every traded symbol; each must quote in trading.quote_currency (balances and PnL are counted in it). */
export async function paperMarkets(config: Config, feed: FeedChoice, symbols: readonly string[]): Promise<PaperMarketSpec[]> {
  const fees = { makerBps: config.paper_exchange.maker_fee_bps, takerBps: config.paper_exchange.taker_fee_bps };
  const specs: PaperMarketSpec[] = [];
  for (const [i, symbol] of symbols.entries()) {
    const file = feed.kind === 'replay' ? feed.files[i] : undefined;
    const price = file === undefined ? Decimal.parse(defaultStartPrice(symbol)) : await firstClose(file, symbol);
    const known = paperMarketFor(symbol, fees, price);
    // The unit of candle volume belongs to the data, not the market: a file says what its exchange
    // counted (FTX's BTC-PERP counts USD), while the synthetic feed always counts base units. Read
    // as quote, a synthetic BTC/USD bar's volume left no liquidity, and every order failed.
    const spec = file === undefined ? { ...known, candleVolumeIn: 'base' as const } : known;
    if (spec.rules.quoteAsset !== config.trading.quote_currency) {
      throw new MarketSetupError(symbol, `market ${symbol} quotes in ${spec.rules.quoteAsset} but trading.quote_currency is ${config.trading.quote_currency}: set --set trading.quote_currency=${spec.rules.quoteAsset} (balances and PnL are counted in it)`);
    }
    specs.push(spec);
  }
  return specs;
}

/** Balances of a fresh account: the starting quote balance, and the starting base balance of each market. */
export function startingBalances(config: Config, markets: readonly MarketRules[]): Map<string, Decimal> {
  const balances = new Map<string, Decimal>([[config.trading.quote_currency, config.trading.starting_quote_balance]]);
  for (const rules of markets) balances.set(rules.baseAsset, config.trading.starting_base_balance);
  return balances;
}

/** The paper exchange's injected faults, from paper_exchange.*: a timeout is half lost on the way, half lost on the way back. */
export function faultOptions(config: Config): FaultOptions {
  const p = config.paper_exchange;
  const latency = p.latency_ms;
  return {
    seed: p.seed,
    rates: { timeout_lost: p.fault_timeout / 2, timeout_reached: p.fault_timeout / 2, rejected: p.fault_reject, rate_limited: p.fault_rate_limit, network: p.fault_network },
    operations: ['placeOrder', 'fetchOrderByClientId'],
    ...(latency > 0 ? { latencyMs: { min: Math.floor(latency / 2), max: Math.ceil(latency * 1.5) } } : {}),
    retryAfterMs: 1000,
    requestTimeoutMs: config.execution.order_timeout,
  };
}

/**
 * Waits on the feed's time scale: at speed N a wait of `ms` takes ms/N of wall time, at max it only
 * yields. Exchange latency and retry backoff then stay proportionate to the replayed market.
 */
export function scaledSleep(speed: ReplaySpeed): (ms: number) => Promise<void> {
  if (speed === 'max') return () => new Promise((resolve) => setImmediate(resolve));
  return (ms) => new Promise((resolve) => setTimeout(resolve, ms / speed));
}

export interface FeedSetup {
  readonly recorder: Recorder;
  readonly speed: ReplaySpeed;
  readonly staleness: StalenessTracker;
  readonly warmupBars: number;
  readonly seed: number;
  readonly intervalMs: number;
  /** Where each symbol resumes (see planResume); absent on a data directory where nothing was decided. */
  readonly resume?: ResumePlan;
  /** Called while the feed waits for a bar's time: the per-bar loops are idle, not hung (see FeedLoopOptions.whileWaiting). */
  readonly whileWaiting?: () => void;
  /** Each market's tick: a synthetic market's prices sit on it. */
  readonly tickSizes?: ReadonlyMap<string, Decimal>;
}

export async function openFeed(choice: FeedChoice, symbols: readonly string[], setup: FeedSetup): Promise<MarketFeed> {
  const common = { speed: setup.speed, recorder: setup.recorder, staleness: setup.staleness, warmupBars: setup.warmupBars, intervalMs: setup.intervalMs };
  const plan = setup.resume;
  const decided = plan?.allDecidedUntil === undefined ? {} : { decidedUntil: plan.allDecidedUntil };
  const waiting = setup.whileWaiting === undefined ? {} : { whileWaiting: setup.whileWaiting };
  if (choice.kind === 'replay') return ReplayFeed.open({ files: choice.files, symbols, ...common, ...decided, ...waiting, decidedBars: plan?.decidedBars });
  // A resumed synthetic market goes on from the price of its last decided bar.
  const startPrices: Record<string, string> = {};
  for (const symbol of symbols) {
    const price = plan?.known.get(symbol)?.price;
    if (price !== undefined) startPrices[symbol] = price.toString();
  }
  const resumed = plan === undefined ? {} : { resumeAfter: plan.traded, startPrices };
  const ticks = setup.tickSizes === undefined ? {} : { tickSizes: setup.tickSizes };
  return new SyntheticFeed({ symbols, seed: setup.seed, ...common, ...decided, ...waiting, ...resumed, ...ticks });
}
