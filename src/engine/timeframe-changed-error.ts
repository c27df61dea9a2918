import { spacingText, timeframeOf } from '../market-data/index.js';

export interface TimeframeChangedDetails {
  readonly dataDir: string;
  /** The cursor file that says which bar length the directory was traded on. */
  readonly cursorFile: string;
  /** The session that wrote it, when it says. */
  readonly writtenBy: string | undefined;
  readonly storedIntervalMs: number;
  readonly intervalMs: number;
}

const named = (ms: number): string => timeframeOf(ms) ?? spacingText(ms);

/**
 * A data directory resumed under another market_data.timeframe than the one its bars were decided
 * on. Its replay cursor counts bar closes on the old grid: read on the new one, the restart would
 * decide a 5-minute bar whose first minutes were decided already as 1-minute bars, or skip part of
 * one, and the last decided bar it checks the file against would be a bar of the old length.
 */
export class TimeframeChangedError extends Error {
  readonly code = 'timeframe_changed' as const;
  /** The config or the data directory must change first. */
  readonly retryable = false;

  constructor(readonly details: TimeframeChangedDetails) {
    const { dataDir, cursorFile, writtenBy, storedIntervalMs, intervalMs } = details;
    const was = named(storedIntervalMs);
    const by = writtenBy === undefined ? '' : `, by session ${writtenBy}`;
    super(
      `${dataDir} was traded on ${was} bars (${cursorFile} says so${by}), and market_data.timeframe is now ${named(intervalMs)}: resuming would mix bars of the two lengths. Nothing was decided. ` +
        `Set market_data.timeframe=${was} (--set market_data.timeframe=${was}) to go on in ${dataDir}, or start over in a new --data-dir for ${named(intervalMs)} bars`,
    );
    this.name = 'TimeframeChangedError';
  }
}
