import { Decimal } from '../domain/decimal.js';
import type { Result } from '../domain/result.js';
import { isRecorderError } from '../recorder/recorder-error.js';
import type { Recorder } from '../recorder/recorder.js';

/** The market facts the sweeper needs; the domain's MarketRules has them all. */
export interface DustMarket {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly minNotional: Decimal;
}

export interface Dust {
  readonly asset: string;
  readonly symbol: string;
  readonly amount: Decimal;
  readonly price: Decimal;
  readonly notional: Decimal;
  readonly minNotional: Decimal;
}

/** What a sweep did, in words for the log; a failure is kept and retried on a later pass. */
export type SweepResult = Result<{ readonly details: string }, { readonly message: string }>;

export interface DustSweeperOptions {
  readonly recorder: Recorder;
  readonly markets: () => readonly DustMarket[];
  readonly balances: () => ReadonlyMap<string, Decimal>;
  /** Last price of a symbol; a market without one is skipped this pass. */
  readonly price: (symbol: string) => Decimal | undefined;
  /** Quantity of the asset an open position holds: that is the position's, not dust. */
  readonly heldQty?: (symbol: string) => Decimal;
  /** Where sweeping is configured: converts or sells the dust. Without it, dust is only logged. */
  readonly sweep?: (dust: Dust) => Promise<SweepResult>;
  readonly intervalMs: number;
  /** Called every pass: the engine registers the sweeper with the coordinator as daemon loop `DustSweeper`. */
  readonly beat: () => void;
  /** A pass that throws (other than a recorder failure) is logged as ERROR and the loop goes on. */
  readonly onError?: (error: unknown) => void;
}

/** Balances worth less than their market's minimum order value: they cannot be sold as an order. */
export function findDust(options: Pick<DustSweeperOptions, 'markets' | 'balances' | 'price' | 'heldQty'>): Dust[] {
  const balances = options.balances();
  const found: Dust[] = [];
  const seen = new Set<string>();
  for (const market of options.markets()) {
    if (seen.has(market.baseAsset)) continue;
    const balance = balances.get(market.baseAsset);
    const price = options.price(market.symbol);
    if (!balance || !price || !price.isPositive()) continue;
    seen.add(market.baseAsset);
    const amount = balance.sub(options.heldQty?.(market.symbol) ?? Decimal.ZERO);
    if (!amount.isPositive()) continue;
    const notional = amount.mul(price);
    if (notional.lt(market.minNotional)) found.push({ asset: market.baseAsset, symbol: market.symbol, amount, price, notional, minNotional: market.minNotional });
  }
  return found;
}

/**
 * A periodic loop that finds dust, logs it once per amount (DUST_FOUND) and, where a sweep function
 * is configured, sweeps it (DUST_SWEPT / DUST_SWEEP_FAILED). One pass at a time; the timer does not
 * keep the process alive, since shutdown need not wait for a daemon loop.
 */
export class DustSweeper {
  static readonly LOOP_NAME = 'DustSweeper';
  readonly name = DustSweeper.LOOP_NAME;
  private readonly logged = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: DustSweeperOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`DustSweeper intervalMs must be > 0, got ${options.intervalMs}`);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined, (error: unknown) => this.fail(error))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }

  private fail(error: unknown): void {
    if (this.options.onError) return this.options.onError(error);
    // A recorder that cannot write means the bot must stop: surface it where the fatal handler sees it.
    if (isRecorderError(error)) throw error;
    this.options.recorder.emit('ERROR', { error_code: 'dust_sweep_failed', message: error instanceof Error ? error.message : String(error), component: this.name });
  }

  /** One pass: find, log, sweep. Returns the dust found. */
  async runOnce(): Promise<readonly Dust[]> {
    this.options.beat();
    const { recorder, sweep } = this.options;
    const dust = findDust(this.options);
    const present = new Set(dust.map((item) => item.asset));
    for (const asset of this.logged.keys()) if (!present.has(asset)) this.logged.delete(asset);
    for (const item of dust) {
      if (this.logged.get(item.asset) !== item.amount.toString()) {
        recorder.emit('DUST_FOUND', { asset: item.asset, symbol: item.symbol, amount: item.amount, price: item.price, notional: item.notional, min_notional: item.minNotional, action: sweep ? 'sweep' : 'log_only' });
        this.logged.set(item.asset, item.amount.toString());
      }
      if (!sweep) continue;
      const result = await sweep(item);
      if (result.ok) {
        recorder.emit('DUST_SWEPT', { asset: item.asset, symbol: item.symbol, amount: item.amount, notional: item.notional, min_notional: item.minNotional, details: result.value.details });
        this.logged.delete(item.asset);
      } else {
        recorder.emit('DUST_SWEEP_FAILED', { asset: item.asset, symbol: item.symbol, amount: item.amount, message: result.error.message });
      }
      this.options.beat();
    }
    return dust;
  }

  /** Stops scheduling and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
