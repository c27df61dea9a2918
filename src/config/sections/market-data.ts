import { z } from 'zod';
import { key } from '../keys.js';

/** Where prices come from and when they are too old to trade on. */
export const marketDataSection = z
  .object({
    source: key.oneOf(['synthetic', 'candles_file'], 'synthetic', 'the feed: a seeded synthetic walk, or candles from candles_file'),
    candles_file: key.text('', /^.*$/, 'a file path (empty: none)', 'CSV of candles when source is candles_file'),
    timeframe: key.oneOf(['1m', '5m', '15m', '1h', '4h', '1d'], '1m', 'bar length the strategy decides on'),
    stale_after: key.duration('2m', { min: '1s', max: '1d' }, 'no buy on prices older than this'),
    speed: key.number(1, { min: 0, max: 1_000_000 }, 'replay speed: 1 is real time, 0 (max) as fast as possible', 'max'),
  })
  .strict();
