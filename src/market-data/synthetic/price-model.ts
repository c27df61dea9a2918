import type { SeededRandom } from './seeded-random.js';

/** The knobs of the synthetic market; defaults resemble a liquid crypto pair on 1-minute bars. */
export interface PriceModelParams {
  /** Long-run volatility of one bar's log return (0.0009 is about 3.4% a day). */
  readonly barVolatility: number;
  /** GARCH(1,1) weights: how much the last shock and the last variance carry into the next bar. */
  readonly garchAlpha: number;
  readonly garchBeta: number;
  /** Drift per bar of a trending regime, as a log return. */
  readonly trendDrift: number;
  /** Mean length of a regime (trend up, trend down, range), in bars. */
  readonly regimeBars: number;
  /** Chance per bar of a wick spike, and of a price jump. */
  readonly spikeRate: number;
  readonly jumpRate: number;
  /** Chance per bar that a gap of 1 to maxGapBars missing bars begins. */
  readonly gapRate: number;
  readonly maxGapBars: number;
  /** Typical traded value per bar in the quote currency; volume (base units) follows volatility. */
  readonly quoteVolumePerBar: number;
}

export const DEFAULT_PRICE_MODEL: PriceModelParams = {
  barVolatility: 0.0009,
  garchAlpha: 0.08,
  garchBeta: 0.9,
  trendDrift: 0.00012,
  regimeBars: 240,
  spikeRate: 0.002,
  jumpRate: 0.0008,
  gapRate: 0.001,
  maxGapBars: 5,
  quoteVolumePerBar: 500_000,
};

type Regime = 'up' | 'down' | 'range';

/** One simulated bar as floats; the feed turns it into exact Decimals on the symbol's tick grid. */
export interface ModelBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A random walk with the features that make strategies and guards earn their keep: volatility
 * clusters (GARCH(1,1)), trending and ranging regimes, fat-tailed shocks, wick spikes, jumps and
 * missing bars, with volume rising with volatility. Floats are right here: this is a model of a
 * market, not money; prices become Decimals only as they leave it.
 */
export class PriceModel {
  private logPrice: number;
  private variance: number;
  private lastShock = 0;
  private regime: Regime = 'range';
  private anchor: number;
  private gapLeft = 0;
  private readonly omega: number;

  constructor(
    startPrice: number,
    private readonly random: SeededRandom,
    private readonly p: PriceModelParams = DEFAULT_PRICE_MODEL,
  ) {
    if (!(startPrice > 0)) throw new RangeError(`start price must be positive, got ${startPrice}`);
    if (p.garchAlpha + p.garchBeta >= 1) throw new RangeError('garchAlpha + garchBeta must be below 1 for the volatility to stay finite');
    this.logPrice = Math.log(startPrice);
    this.anchor = this.logPrice;
    this.variance = p.barVolatility ** 2;
    this.omega = this.variance * (1 - p.garchAlpha - p.garchBeta);
  }

  private drift(): number {
    if (this.random.chance(1 / this.p.regimeBars)) {
      const roll = this.random.next();
      this.regime = roll < 0.35 ? 'up' : roll < 0.7 ? 'down' : 'range';
      this.anchor = this.logPrice;
    }
    if (this.regime === 'up') return this.p.trendDrift;
    if (this.regime === 'down') return -this.p.trendDrift;
    return -0.02 * (this.logPrice - this.anchor);
  }

  /** Advances one bar; undefined when this bar is missing (the market still moved). */
  step(): ModelBar | undefined {
    const { p, random } = this;
    this.variance = this.omega + p.garchAlpha * this.lastShock ** 2 + p.garchBeta * this.variance;
    const sigma = Math.sqrt(this.variance);
    // A normal now and then scaled up: the fat tails real returns have.
    let shock = sigma * random.normal() * (random.chance(0.05) ? 2.5 : 1);
    if (random.chance(p.jumpRate)) shock += (random.chance(0.5) ? 1 : -1) * sigma * (6 + 4 * random.next());
    this.lastShock = shock;
    const open = Math.exp(this.logPrice);
    this.logPrice += this.drift() + shock;
    const close = Math.exp(this.logPrice);
    let high = Math.max(open, close) * Math.exp(Math.abs(random.normal()) * sigma * 0.6);
    let low = Math.min(open, close) * Math.exp(-Math.abs(random.normal()) * sigma * 0.6);
    if (random.chance(p.spikeRate)) {
      const size = Math.exp(sigma * (4 + 6 * random.next()));
      if (random.chance(0.5)) high *= size;
      else low /= size;
    }
    const activity = (sigma / p.barVolatility) ** 1.5 * (1 + Math.abs(shock) / p.barVolatility);
    const volume = (p.quoteVolumePerBar / close) * activity * Math.exp(0.4 * random.normal()) * 0.5;
    if (this.gapLeft > 0) {
      this.gapLeft--;
      return undefined;
    }
    if (random.chance(p.gapRate)) this.gapLeft = random.int(1, p.maxGapBars);
    return { open, high, low, close, volume };
  }
}
