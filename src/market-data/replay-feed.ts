import type { Recorder } from '../recorder/recorder.js';
import { CandleFileError } from './candle-file-error.js';
import { openCandleFile, scanCandleFile, type CandleFile } from './candle-file.js';
import { dataChangeIn, type DecidedBars } from './decided-bars.js';
import { FeedLoop } from './feed-loop.js';
import type { BarHandler, FeedEndReason, FeedStats, MarketFeed, ReplaySpeed } from './market-feed.js';
import { MINUTE_MS } from './bar.js';
import { mergeByTime } from './merge-by-time.js';
import type { StalenessTracker } from './staleness-tracker.js';
import { checkTimeframe } from './timeframe-check.js';

export interface ReplayFeedOptions {
  /** Candle files (.csv with a header, or .json arrays), one symbol each. */
  readonly files: readonly string[];
  /** The symbol of each file, in order; derived from the file names when absent. */
  readonly symbols?: readonly string[];
  /** The bar length (market_data.timeframe), 1 minute unless told; every file must hold bars of it. */
  readonly intervalMs?: number;
  readonly speed: ReplaySpeed;
  readonly recorder: Recorder;
  readonly staleness?: StalenessTracker;
  /**
   * Read every file once before the first bar (default true), so a file that is corrupt further
   * down fails before any trade instead of midway, or holds bars of another length than
   * `intervalMs`, and fingerprint it for FEED_START. Costs one extra parse. Always done when
   * `decidedBars` is given: that check is part of it.
   */
  readonly preflight?: boolean;
  /**
   * The last bar an earlier session decided, per symbol, on the data directory this replay
   * resumes: a file that holds it with another close (replaced at the same path) is refused in
   * the preflight with a DataChangedError, before any bar is delivered.
   */
  readonly decidedBars?: DecidedBars | undefined;
  readonly warmupBars?: number;
  /** The close up to which an earlier session decided every symbol: replayed at full speed (see FeedLoop). */
  readonly decidedUntil?: number;
  /** Called while the feed waits for a bar's time (see FeedLoopOptions.whileWaiting): the session beats its per-bar loops there. */
  readonly whileWaiting?: () => void;
}

/** Replays candle files, several symbols merged in time order, at a chosen speed. */
export class ReplayFeed implements MarketFeed {
  readonly kind = 'replay' as const;
  readonly symbols: readonly string[];
  readonly intervalMs: number;
  private readonly loop: FeedLoop;
  /**
   * Per symbol, where each bar its reader found after a gap sits (`line` or `line (row N)`), by open time: set when the row
   * is read, before the bar is delivered, and taken when the loop reports the gap, so it holds only
   * the gaps read ahead of delivery.
   */
  private readonly gapLines = new Map<string, Map<number, string>>();

  private constructor(
    private readonly files: readonly CandleFile[],
    private readonly options: ReplayFeedOptions,
  ) {
    this.symbols = files.map((f) => f.symbol);
    this.intervalMs = options.intervalMs ?? MINUTE_MS;
    const sourceOf = new Map(files.map((f) => [f.symbol, f.path]));
    this.loop = new FeedLoop({
      kind: 'replay',
      symbols: this.symbols,
      intervalMs: this.intervalMs,
      speed: options.speed,
      recorder: options.recorder,
      staleness: options.staleness,
      warmupBars: options.warmupBars,
      decidedUntil: options.decidedUntil,
      whileWaiting: options.whileWaiting,
      sourceOf: (symbol, openTime) => {
        const path = sourceOf.get(symbol) ?? symbol;
        const lines = this.gapLines.get(symbol);
        const at = lines?.get(openTime);
        if (at === undefined) return path;
        lines?.delete(openTime);
        return `${path}:${at}`;
      },
    });
  }

  /** Opens the files (format, symbol); throws CandleFileError naming the file that cannot be used. */
  static async open(options: ReplayFeedOptions): Promise<ReplayFeed> {
    const { files, symbols } = options;
    if (files.length === 0) throw new RangeError('a replay needs at least one candle file');
    if (symbols !== undefined && symbols.length !== files.length) {
      throw new RangeError(`${symbols.length} symbols for ${files.length} files: give one symbol per file, in order, or none`);
    }
    const opened: CandleFile[] = [];
    for (const [i, path] of files.entries()) {
      const symbol = symbols?.[i];
      const file = await openCandleFile(path, { ...(symbol === undefined ? {} : { symbol }), intervalMs: options.intervalMs ?? MINUTE_MS });
      const clash = opened.find((f) => f.symbol === file.symbol);
      if (clash) {
        throw new CandleFileError('bad_symbol', { file: path, line: 0, value: file.symbol, expected: `one file per symbol; ${clash.path} is ${file.symbol} too` });
      }
      opened.push(file);
    }
    return new ReplayFeed(opened, options);
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

  async start(onBar: BarHandler): Promise<FeedEndReason> {
    let span = {};
    let expected = {};
    let fingerprints = {};
    const decided = this.options.decidedBars;
    if ((this.options.preflight ?? true) || decided !== undefined) {
      const probe = (symbol: string): number | undefined => decided?.bars.get(symbol)?.openTime;
      // The bar length first: a file of 1-minute bars at timeframe 5m would otherwise fail the scan
      // as a misaligned row, and one of 5-minute bars at 1m pass it with a gap after every bar.
      const checked = async (f: CandleFile) => {
        await checkTimeframe(f);
        return scanCandleFile(f, probe(f.symbol));
      };
      const summaries = await Promise.all(this.files.map(checked)).catch((error: unknown) => {
        this.loop.reportError(error);
        throw error;
      });
      const changed = decided === undefined ? undefined : this.files.map((f, i) => (summaries[i] === undefined ? undefined : dataChangeIn(f, summaries[i], decided))).find((error) => error !== undefined);
      if (changed !== undefined) {
        this.loop.reportError(changed);
        throw changed;
      }
      expected = { bars_expected: summaries.reduce((n, s) => n + s.bars, 0) };
      span = FeedLoop.span(Math.min(...summaries.map((s) => s.firstOpenTime)), Math.max(...summaries.map((s) => s.lastOpenTime)));
      fingerprints = { fingerprints: summaries.map((s, i) => ({ source: this.files[i]?.path ?? '', ...s.fingerprint })) };
    }
    const bars = this.files.map((f) => {
      const lines = new Map<number, string>();
      this.gapLines.set(f.symbol, lines);
      return f.bars((openTime, line, row) => {
        lines.set(openTime, row === undefined ? String(line) : `${line} (row ${row})`);
      });
    });
    return this.loop.run(mergeByTime(bars), onBar, {
      kind: 'replay',
      symbols: [...this.symbols],
      sources: this.files.map((f) => f.path),
      speed: this.options.speed,
      interval_s: Math.round(this.intervalMs / 1000),
      ...expected,
      ...span,
      ...fingerprints,
    });
  }
}
