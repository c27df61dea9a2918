import { z } from 'zod';
import { key } from '../keys.js';

/** The bar lengths a session can trade on; its candle data must come at that length. */
export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** Where prices come from and when they are too old to trade on. */
export const marketDataSection = z
  .object({
    source: key.oneOf(['synthetic', 'candles_file'], 'synthetic', 'the feed: a seeded synthetic walk, or candles from candles_file'),
    candles_file: key.text('', /^.*$/, 'a file path (empty: none)', 'CSV of candles when source is candles_file'),
    timeframe: key.oneOf(
      TIMEFRAMES,
      '1m',
      'bar length the bot trades on: one decision per bar, pacing, gaps and staleness in bars of it; candle files must hold bars of exactly this length (never resampled: one that does not is refused)',
    ),
    stale_after: key.duration('2m', { min: '1s', max: '1d' }, 'no buy on prices older than this; a feed is reported stale (DATA_STALE) once its latest bar closed longer ago than this or than one bar (timeframe), whichever is longer'),
    speed: key.number(1, { min: 0, max: 1_000_000 }, 'replay speed: 1 is real time, 0 (max) as fast as possible', 'max'),
  })
  .strict();
