import { Decimal } from '../../domain/decimal.js';
import type { Recorder } from '../../recorder/recorder.js';
import { MINUTE_MS, type Bar } from '../bar.js';
import { FeedLoop } from '../feed-loop.js';
import type { BarHandler, FeedEndReason, FeedStats, MarketFeed, ReplaySpeed } from '../market-feed.js';
import type { StalenessTracker } from '../staleness-tracker.js';
import { priceModelForInterval } from './interval-model.js';
import { DEFAULT_PRICE_MODEL, PriceModel, type ModelBar, type PriceModelParams } from './price-model.js';
import { SeededRandom } from './seeded-random.js';
import { defaultStartPrice } from './start-price.js';

export interface SyntheticFeedOptions {
  readonly symbols: readonly string[];
  /** Same seed, same bars: a synthetic session can be replayed exactly. */
  readonly seed: number;
  readonly speed: ReplaySpeed;
  readonly recorder: Recorder;
  readonly staleness?: StalenessTracker;
  /** The bar length (market_data.timeframe), 1 minute unless told; the model is scaled to it (priceModelForInterval). */
  readonly intervalMs?: number;
  /** Open time of the first bar; default: `warmupBars` intervals before the current one (see `resumeAfter`). */
  readonly startTime?: number;
  /**
   * Per symbol, the close time (ms UTC) of the last bar an earlier session on the same data
   * decided. At speed N a session runs up to N times ahead of the wall clock; starting at "now"
   * again would only warm up until it caught up with that bar. When it is ahead of the default
   * start, the symbol's market starts `warmupBars` bars before the first bar after it instead, so
   * the new session trades right after warm-up and its bars continue the earlier timeline; each
   * symbol from its own point, so one left out of a session does not drag the others back.
   * Ignored when `startTime` is given.
   */
  readonly resumeAfter?: ReadonlyMap<string, number>;
  /** The close up to which every symbol was decided before: delivered at full speed (see FeedLoop). */
  readonly decidedUntil?: number;
  /** Called while the feed waits for a bar's time (see FeedLoopOptions.whileWaiting): the session beats its per-bar loops there. */
  readonly whileWaiting?: () => void;
  /** Bars per symbol (missing ones included), from its own start, before the feed ends with data_end; default endless. */
  readonly maxBars?: number;
  readonly warmupBars?: number;
  /**
   * Decimal text of each symbol's start price; default BTC 40000, ETH 2500, else 100. A resumed
   * session passes the last price the earlier one decided on, so the market goes on from there.
   * A fresh market returns toward its start price in the long run; a resumed one (see
   * `resumeAfter`) toward the default, the home of the market it continues.
   */
  readonly startPrices?: Readonly<Record<string, string>>;
  /** Knobs over the model scaled to the bar length, taken as they are. */
  readonly model?: Partial<PriceModelParams>;
  /**
   * The tick of each symbol's market: its prices sit on that grid, as a real market's do. Without
   * it, about 7 significant digits: ETH at 2374.638 on a market of 0.01 ticks, and the fills priced
   * off the candle's high came out off the tick too.
   */
  readonly tickSizes?: ReadonlyMap<string, Decimal>;
}

const BATCH_BARS = 256;
const VOLUME_SCALE = 4;

/** Prices a whole number of steps of `step` units of 10^-scale, the step worth `stepValue`. */
interface PriceGrid {
  readonly scale: number;
  readonly step: number;
  readonly stepValue: number;
}

/** The market's tick as a grid, or about 7 significant digits of the start price without one. */
function priceGrid(tick: Decimal | undefined, start: number): PriceGrid {
  if (tick !== undefined && tick.isPositive()) return { scale: tick.scale, step: Number(tick.units), stepValue: tick.toNumber() };
  const scale = Math.max(0, 6 - Math.floor(Math.log10(start)));
  return { scale, step: 1, stepValue: 10 ** -scale };
}

const VOLUME_GRID: PriceGrid = { scale: VOLUME_SCALE, step: 1, stepValue: 10 ** -VOLUME_SCALE };

/** One simulated market: its model and the grid its prices sit on. */
interface Market {
  readonly symbol: string;
  readonly model: PriceModel;
  readonly grid: PriceGrid;
  /** Open time of its first bar: a symbol resumed further on starts later than the others. */
  readonly startTime: number;
}

function toDecimal(value: number, grid: PriceGrid): Decimal {
  // The model's float becomes a whole number of ticks; the bar then holds that exact decimal,
  // normalized like a parsed one (40000, not 40000.00).
  let units = Math.max(1, Math.round(value / grid.stepValue)) * grid.step;
  let s = grid.scale;
  while (s > 0 && units % 10 === 0) {
    units /= 10;
    s--;
  }
  return Decimal.ofUnits(BigInt(units), s);
}

/**
 * A seeded synthetic market for any symbols, one bar per interval each, at real-time pace or any
 * speed; what `npm start` trades when no candle files are given. Its gaps are real gaps: the bars
 * are not delivered and the feed reports DATA_GAP like a replay would.
 */
export class SyntheticFeed implements MarketFeed {
  readonly kind = 'synthetic' as const;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  private readonly loop: FeedLoop;
  private readonly markets: readonly Market[];
  private readonly startTime: number;

  constructor(private readonly options: SyntheticFeedOptions) {
    if (options.symbols.length === 0) throw new RangeError('a synthetic feed needs at least one symbol');
    this.symbols = [...options.symbols];
    this.intervalMs = options.intervalMs ?? MINUTE_MS;
    const params = { ...priceModelForInterval(DEFAULT_PRICE_MODEL, this.intervalMs), ...options.model };
    const current = Math.floor(Date.now() / this.intervalMs) * this.intervalMs;
    const warmupMs = (options.warmupBars ?? 0) * this.intervalMs;
    this.markets = this.symbols.map((symbol) => {
      const start = Decimal.parse(options.startPrices?.[symbol] ?? defaultStartPrice(symbol));
      if (!start.isPositive()) throw new RangeError(`start price of ${symbol} must be positive, got ${start.toString()}`);
      const startNumber = start.toNumber();
      const resumeAfter = options.resumeAfter?.get(symbol);
      // The first bar whose close is after resumeAfter opens at resumeAfter rounded up to the grid.
      const resumed = resumeAfter === undefined ? Number.NEGATIVE_INFINITY : Math.ceil(resumeAfter / this.intervalMs) * this.intervalMs - warmupMs;
      // A resumed timeline draws its own numbers, still fixed by the seed and where it resumes:
      // with the stream of a fresh start, every restart replayed the same moves from its new price.
      const stream = resumeAfter === undefined ? symbol : `${symbol}@${resumeAfter}`;
      // Homed at its own start, every restart would let the market wander on from wherever the
      // last session left it, and a long series of sessions would drift without bound again.
      const home = resumeAfter === undefined ? startNumber : Number(defaultStartPrice(symbol));
      return {
        symbol, model: new PriceModel(startNumber, new SeededRandom(options.seed, stream), params, home), grid: priceGrid(options.tickSizes?.get(symbol), startNumber),
        startTime: options.startTime ?? Math.max(current - warmupMs, resumed),
      };
    });
    this.startTime = Math.min(...this.markets.map((market) => market.startTime));
    if (this.startTime % this.intervalMs !== 0) throw new RangeError(`startTime must be on the ${this.intervalMs} ms grid`);
    this.loop = new FeedLoop({
      kind: 'synthetic',
      symbols: this.symbols,
      intervalMs: this.intervalMs,
      speed: options.speed,
      recorder: options.recorder,
      staleness: options.staleness,
      // Warm-up by time, not by a count of bars: with markets starting at different times, the first
      // market's decided bars filled a count meant for the later one's warm-up and went unpaced.
      decidedUntil: Math.max(options.decidedUntil ?? Number.NEGATIVE_INFINITY, Math.min(...this.markets.map((market) => market.startTime)) + warmupMs),
      // Only the resume point: its own warm-up bars are a fresh session's, reported as ever.
      reportedUntil: options.decidedUntil,
      sourceOf: () => `synthetic:${options.seed}`,
      whileWaiting: options.whileWaiting,
    });
  }

  private bar(market: Market, openTime: number, m: ModelBar): Bar {
    const { grid } = market;
    const open = toDecimal(m.open, grid);
    const close = toDecimal(m.close, grid);
    // Rounding to ticks must not put open or close outside the wick.
    const high = Decimal.max(toDecimal(m.high, grid), Decimal.max(open, close));
    const low = Decimal.min(toDecimal(m.low, grid), Decimal.min(open, close));
    const volume = toDecimal(m.volume, VOLUME_GRID);
    return { symbol: market.symbol, openTime, open, high, low, close, volume };
  }

  /** Open time after a market's last bar: `maxBars` from its own start, or never. */
  private endOf(market: Market): number {
    return this.options.maxBars === undefined ? Number.POSITIVE_INFINITY : market.startTime + this.options.maxBars * this.intervalMs;
  }

  private *generate(): Generator<readonly Bar[]> {
    const end = Math.max(...this.markets.map((market) => this.endOf(market)));
    for (let openTime = this.startTime; openTime < end; ) {
      const batch: Bar[] = [];
      for (const batchEnd = Math.min(end, openTime + BATCH_BARS * this.intervalMs); openTime < batchEnd; openTime += this.intervalMs) {
        for (const market of this.markets) {
          if (openTime < market.startTime || openTime >= this.endOf(market)) continue;
          const m = market.model.step();
          if (m !== undefined) batch.push(this.bar(market, openTime, m));
        }
      }
      yield batch;
    }
  }

  now(): number {
    return this.loop.now();
  }

  stats(): FeedStats {
    return this.loop.stats();
  }

  stop(): void {
    this.loop.stop();
  }

  start(onBar: BarHandler): Promise<FeedEndReason> {
    return this.loop.run(this.generate(), onBar, {
      kind: 'synthetic',
      symbols: [...this.symbols],
      sources: [`synthetic:${this.options.seed}`],
      speed: this.options.speed,
      interval_s: Math.round(this.intervalMs / 1000),
      ...(this.options.maxBars === undefined ? {} : FeedLoop.span(this.startTime, Math.max(...this.markets.map((market) => this.endOf(market))) - this.intervalMs)),
    });
  }
}
