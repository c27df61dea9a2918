import type { SeededRandom } from './seeded-random.js';

/** The knobs of the synthetic market; defaults resemble a liquid crypto pair on 1-minute bars. */
export interface PriceModelParams {
  /** Long-run volatility of one bar's log return (0.0009 is about 3.4% a day). */
  readonly barVolatility: number;
  /**
   * GARCH(1,1) weights: how much the last shock and the last variance carry into the next bar. Their
   * sum is the persistence of a volatility burst; the shock is measured against the model's own
   * fat-tailed innovations, so a sum below 1 really does bring volatility back to barVolatility.
   */
  readonly garchAlpha: number;
  readonly garchBeta: number;
  /** Ceiling of one bar's volatility, as a multiple of barVolatility: a crash, not a blow-up. */
  readonly maxVolatilityMultiple: number;
  /** Drift per bar of a trending regime, as a log return. */
  readonly trendDrift: number;
  /** Mean length of a regime (trend up, trend down, range), in bars. */
  readonly regimeBars: number;
  /**
   * Half-life, in bars, of a log price's pull back toward the market's home price. Without it the
   * walk (and the trends above all) wander without bound: over a few million bars prices went to
   * 10^8 times or 10^-8 of their start. 43,200 one-minute bars (30 days) keep years of bars mostly
   * within a few times either way of home, while a week looks like a free walk.
   */
  readonly reversionHalfLifeBars: number;
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
  maxVolatilityMultiple: 10,
  trendDrift: 0.00012,
  regimeBars: 240,
  reversionHalfLifeBars: 43_200,
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

/** Odds of the fat-tail scaling of a shock, and its factor. */
const FAT_TAIL_CHANCE = 0.05;
const FAT_TAIL_SCALE = 2.5;
/** A jump is 6 to 10 sigmas. */
const JUMP_MIN = 6;
const JUMP_SPREAD = 4;

/**
 * E[(shock / sigma)^2] of the model's innovations: the fat-tail scaling and the jumps make it about
 * 1.31, not the 1 that GARCH's stationarity condition assumes. Fed raw, alpha * 1.31 + beta went
 * past 1 with the defaults and volatility had no level to return to: sigma reached 0.3 and more per
 * bar, and every such burst moved the price by orders of magnitude.
 */
function innovationVariance(p: PriceModelParams): number {
  const fat = 1 - FAT_TAIL_CHANCE + FAT_TAIL_CHANCE * FAT_TAIL_SCALE ** 2;
  // E[(JUMP_MIN + JUMP_SPREAD * U)^2] for U uniform on [0, 1).
  const jump = JUMP_MIN ** 2 + JUMP_MIN * JUMP_SPREAD + JUMP_SPREAD ** 2 / 3;
  return fat + p.jumpRate * jump;
}

/**
 * A random walk with the features that make strategies and guards earn their keep: volatility
 * clusters (GARCH(1,1)), trending and ranging regimes, fat-tailed shocks, wick spikes, jumps and
 * missing bars, with volume rising with volatility; its log price is slowly pulled toward a home
 * price, as a real asset's is held in a range by what it is worth to its holders. Floats are right
 * here: this is a model of a market, not money; prices become Decimals only as they leave it.
 */
export class PriceModel {
  private logPrice: number;
  private variance: number;
  private lastShock = 0;
  private regime: Regime = 'range';
  /** Where the current ranging regime began: it holds the price near there for a while. */
  private rangeCenter: number;
  private gapLeft = 0;
  private readonly omega: number;
  private readonly innovationVariance: number;
  private readonly maxVariance: number;
  private readonly logHome: number;
  private readonly reversion: number;

  /**
   * `homePrice` (default: the start price) is where the market returns to in the long run; a market
   * resumed elsewhere keeps the home of the one it continues, or every restart would move it.
   */
  constructor(
    startPrice: number,
    private readonly random: SeededRandom,
    private readonly p: PriceModelParams = DEFAULT_PRICE_MODEL,
    homePrice: number = startPrice,
  ) {
    if (!(startPrice > 0)) throw new RangeError(`start price must be positive, got ${startPrice}`);
    if (!(homePrice > 0)) throw new RangeError(`home price must be positive, got ${homePrice}`);
    if (p.garchAlpha + p.garchBeta >= 1) throw new RangeError('garchAlpha + garchBeta must be below 1 for the volatility to stay finite');
    if (!(p.maxVolatilityMultiple >= 1)) throw new RangeError(`maxVolatilityMultiple must be at least 1, got ${p.maxVolatilityMultiple}`);
    if (!(p.reversionHalfLifeBars > 0)) throw new RangeError(`reversionHalfLifeBars must be positive, got ${p.reversionHalfLifeBars}`);
    this.logPrice = Math.log(startPrice);
    this.rangeCenter = this.logPrice;
    this.logHome = Math.log(homePrice);
    this.reversion = 1 - 0.5 ** (1 / p.reversionHalfLifeBars);
    this.variance = p.barVolatility ** 2;
    this.omega = this.variance * (1 - p.garchAlpha - p.garchBeta);
    this.innovationVariance = innovationVariance(p);
    this.maxVariance = (p.barVolatility * p.maxVolatilityMultiple) ** 2;
  }

  private drift(): number {
    if (this.random.chance(1 / this.p.regimeBars)) {
      const roll = this.random.next();
      this.regime = roll < 0.35 ? 'up' : roll < 0.7 ? 'down' : 'range';
      this.rangeCenter = this.logPrice;
    }
    // Toward home on top of any regime: trends alone are a random walk of their own, one that
    // moves further than the shocks do (each regime shifts the log price by about ±0.03).
    const home = -this.reversion * (this.logPrice - this.logHome);
    if (this.regime === 'up') return home + this.p.trendDrift;
    if (this.regime === 'down') return home - this.p.trendDrift;
    return home - 0.02 * (this.logPrice - this.rangeCenter);
  }

  /** Advances one bar; undefined when this bar is missing (the market still moved). */
  step(): ModelBar | undefined {
    const { p, random } = this;
    const garch = this.omega + (p.garchAlpha * this.lastShock ** 2) / this.innovationVariance + p.garchBeta * this.variance;
    this.variance = Math.min(garch, this.maxVariance);
    const sigma = Math.sqrt(this.variance);
    // A normal now and then scaled up: the fat tails real returns have.
    let shock = sigma * random.normal() * (random.chance(FAT_TAIL_CHANCE) ? FAT_TAIL_SCALE : 1);
    if (random.chance(p.jumpRate)) shock += (random.chance(0.5) ? 1 : -1) * sigma * (JUMP_MIN + JUMP_SPREAD * random.next());
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
