import type { Recorder } from '../recorder/recorder.js';
import { CandleFileError } from './candle-file-error.js';
import { stat } from 'node:fs/promises';
import type { Bar } from './bar.js';
import type { BarReaderOptions } from './bar-reader-options.js';
import { loadCandleFile, openCandleFile, scanCandleFile, type CandleFile, type CandleFileSummary } from './candle-file.js';
import { dataChangeIn, prefixesToHash, type DecidedBars } from './decided-bars.js';
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
   * `intervalMs`, and fingerprint it for FEED_START. Files of up to KEEP_PREFLIGHT_BYTES together
   * are parsed then and their bars kept for the replay (one read in all); larger ones get a
   * cheaper scan and are parsed again as they replay. Always done when `decidedBars` is given:
   * that check is part of it.
   */
  readonly preflight?: boolean;
  /** Files up to this size together keep their preflight's bars (default KEEP_PREFLIGHT_BYTES). */
  readonly keepPreflightBytes?: number;
  /**
   * The last bar an earlier session decided, per symbol, on the data directory this replay
   * resumes: a file that holds it with another close, or whose rows up to it no longer hash as
   * they did when that session read them (replaced at the same path), is refused in the preflight
   * with a DataChangedError, before any bar is delivered. A record without that session's
   * fingerprint gets its last bar compared only, and a LOG warn says so.
   */
  readonly decidedBars?: DecidedBars | undefined;
  readonly warmupBars?: number;
  /** The close up to which an earlier session decided every symbol: replayed at full speed (see FeedLoop). */
  readonly decidedUntil?: number;
  /** Called while the feed waits for a bar's time (see FeedLoopOptions.whileWaiting): the session beats its per-bar loops there. */
  readonly whileWaiting?: () => void;
}

/**
 * Candle files up to this size together are held in memory after the preflight (about 100 bytes
 * of file and 300 of memory per bar: some 50 MB for a month of 1-minute bars of five symbols).
 */
export const KEEP_PREFLIGHT_BYTES = 16 * 1024 * 1024;

/** Kept batches as the stream a reader would give (mergeByTime and the feed loop take async streams). */
function replayKept(batches: readonly (readonly Bar[])[]): AsyncIterable<readonly Bar[]> {
  return {
    [Symbol.asyncIterator]: () => {
      const batch = batches[Symbol.iterator]();
      return { next: () => Promise.resolve(batch.next()) };
    },
  };
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
      // The bars it replays only to warm up were delivered, and their holes reported, by the session that decided them.
      reportedUntil: options.decidedUntil,
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

  /** Where `symbol`'s reader tells of a row after a gap: kept for DATA_GAP's source (see gapLines). */
  private gapRecorder(symbol: string): NonNullable<BarReaderOptions['onGap']> {
    const lines = new Map<number, string>();
    this.gapLines.set(symbol, lines);
    return (openTime, line, row) => {
      lines.set(openTime, row === undefined ? String(line) : `${line} (row ${row})`);
    };
  }

  /** The files' size together; one that cannot be asked counts as too large to keep (its read will say why). */
  private async totalBytes(): Promise<number> {
    const sizes = await Promise.all(this.files.map((f) => stat(f.path).then((s) => s.size, () => Number.POSITIVE_INFINITY)));
    return sizes.reduce((sum, size) => sum + size, 0);
  }

  /**
   * Says which files' rows before the resume point could not be compared: the session that decided
   * there logged no fingerprint of them (it ran before fingerprints, or its log is gone). Only the
   * close of the last decided bar was compared for those; the replay goes on.
   */
  private reportUnchecked(decided: DecidedBars): void {
    for (const file of this.files) {
      const record = decided.bars.get(file.symbol);
      if (record === undefined || record.readAs !== undefined) continue;
      const by = record.recordedBy === undefined ? 'an earlier session (its name was not recorded)' : `session ${record.recordedBy}`;
      this.options.recorder.emit('LOG', {
        message: `${file.path}: its rows before ${file.symbol}'s resume point were not compared with those ${by} decided on: no fingerprint of the file it read is in this data directory's logs (a session from before they were logged, or its log is gone); only the close of its last decided bar was (unchanged)`,
        component: 'market_data',
        data: { file: file.path, symbol: file.symbol, decided_by: record.recordedBy ?? null, last_decided_bar_ts: FeedLoop.span(record.openTime, record.openTime).first_bar_ts },
      }, { level: 'warn' });
    }
  }

  async start(onBar: BarHandler): Promise<FeedEndReason> {
    let span = {};
    let expected = {};
    let fingerprints = {};
    const onGap = new Map(this.files.map((f) => [f.symbol, this.gapRecorder(f.symbol)]));
    /** Per file, its bars when the preflight kept them. */
    let kept: readonly (readonly (readonly Bar[])[] | undefined)[] = [];
    const decided = this.options.decidedBars;
    if ((this.options.preflight ?? true) || decided !== undefined) {
      const probe = (symbol: string): number | undefined => decided?.bars.get(symbol)?.openTime;
      const keep = (await this.totalBytes()) <= (this.options.keepPreflightBytes ?? KEEP_PREFLIGHT_BYTES);
      // The bar length first: a file of 1-minute bars at timeframe 5m would otherwise fail the scan
      // as a misaligned row, and one of 5-minute bars at 1m pass it with a gap after every bar.
      const checked = async (f: CandleFile): Promise<{ readonly summary: CandleFileSummary; readonly batches?: readonly (readonly Bar[])[] }> => {
        await checkTimeframe(f);
        const prefixes = prefixesToHash(decided, f.symbol);
        return keep ? loadCandleFile(f, probe(f.symbol), onGap.get(f.symbol), prefixes) : { summary: await scanCandleFile(f, probe(f.symbol), prefixes) };
      };
      const read = await Promise.all(this.files.map(checked)).catch((error: unknown) => {
        this.loop.reportError(error);
        throw error;
      });
      const summaries = read.map((r) => r.summary);
      const changed = decided === undefined ? undefined : this.files.map((f, i) => (summaries[i] === undefined ? undefined : dataChangeIn(f, summaries[i], decided))).find((error) => error !== undefined);
      if (changed !== undefined) {
        this.loop.reportError(changed);
        throw changed;
      }
      if (decided !== undefined) this.reportUnchecked(decided);
      kept = read.map((r) => r.batches);
      expected = { bars_expected: summaries.reduce((n, s) => n + s.bars, 0) };
      span = FeedLoop.span(Math.min(...summaries.map((s) => s.firstOpenTime)), Math.max(...summaries.map((s) => s.lastOpenTime)));
      fingerprints = { fingerprints: summaries.map((s, i) => ({ source: this.files[i]?.path ?? '', ...s.fingerprint })) };
    }
    const bars = this.files.map((f, i) => {
      const loaded = kept[i];
      return loaded === undefined ? f.bars(onGap.get(f.symbol)) : replayKept(loaded);
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
