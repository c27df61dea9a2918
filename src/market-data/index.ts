/** The market data layer's public surface: what the engine and the CLI import. */
export { isoTime, MINUTE_MS, type Bar } from './bar.js';
export { CandleFileError, isCandleFileError, type CandleFileErrorCode, type CandleFileErrorDetails } from './candle-file-error.js';
export { openCandleFile, scanCandleFile, type CandleFile, type CandleFileFormat, type CandleFileOptions, type CandleFileSummary } from './candle-file.js';
export { DataChangedError, isDataChangedError, type DataChangedDetails } from './data-changed-error.js';
export { dataChangeIn, type DecidedBarRecord, type DecidedBars } from './decided-bars.js';
export type { FileFingerprint, PrefixHash } from './file-fingerprint.js';
export { FeedAlreadyStartedError } from './feed-loop.js';
export { parseSpeed, SpeedError, type BarHandler, type FeedEndReason, type FeedKind, type FeedStats, type MarketFeed, type ReplaySpeed } from './market-feed.js';
export { ReplayFeed, type ReplayFeedOptions } from './replay-feed.js';
export { StalenessTracker, type StalenessOptions, type SymbolFreshness } from './staleness-tracker.js';
export { symbolFromFileName } from './symbol-from-file.js';
export { spacingText, timeframeMs, timeframeOf } from './timeframe.js';
export { DEFAULT_PRICE_MODEL, type PriceModelParams } from './synthetic/price-model.js';
export { defaultStartPrice } from './synthetic/start-price.js';
export { SyntheticFeed, type SyntheticFeedOptions } from './synthetic/synthetic-feed.js';
