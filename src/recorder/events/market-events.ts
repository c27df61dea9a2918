import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

export const FEED_KINDS = ['replay', 'synthetic'] as const;
export const FEED_END_REASONS = ['data_end', 'stopped', 'error'] as const;

const symbol = field.id('market symbol, e.g. BTC/USDT');

/**
 * Market data health: what the feeds deliver, where the data has holes, and when a symbol's data
 * went stale. A gap is reported, never filled in: corrupt data is worse than no data.
 */
export const marketEvents = {
  FEED_START: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'A market data feed starts: its kind, symbols, sources (with their fingerprints) and replay speed.',
    requires: 'none',
    fields: {
      kind: field.oneOf(FEED_KINDS, 'replay of candle files, or the seeded synthetic feed'),
      symbols: field.json(z.array(z.string()), 'symbols the feed delivers'),
      sources: field.json(z.array(z.string()), 'candle files replayed, or synthetic:<seed>'),
      speed: field.json(z.union([z.number(), z.literal('max')]), '1 = real time, N = N times faster, max = as fast as consumed'),
      interval_s: field.int('bar interval in seconds'),
      bars_expected: field.int('bars the sources hold (known after the preflight scan)').optional(),
      first_bar_ts: field.id('open time of the first bar (ISO 8601 UTC)').optional(),
      last_bar_ts: field.id('open time of the last bar (ISO 8601 UTC)').optional(),
      fingerprints: field
        .json(
          z.array(
            z.object({
              source: z.string(), bytes: z.number().int(), sha256: z.string(),
              checkpoints: z.array(z.object({ bytes: z.number().int(), sha256: z.string() })).optional(),
            }),
          ),
          'each candle file as the preflight read it: its size in bytes and the sha256 of its content; a file replaced at the same path between two sessions has the same source but another fingerprint. checkpoints (optional): the sha256 of growing prefixes of the file (its first `bytes` bytes, 32 to 63 evenly spaced, the whole file last), which a restart on the same data directory compares up to the row it resumes after: a row changed before it is refused (data_changed), rows appended at the end are not',
        )
        .optional(),
    },
  }),
  DATA_GAP: defineEvent({
    channel: 'system',
    level: 'warn',
    meaning:
      "Bars are missing from the data: from and to are the open times of the first and last missing bar. Written as the feed reaches the hole, before a paced replay waits through it (then wait_s and resumes_at say when the bar after it comes). A hole where no symbol of the replay has a bar (files of periods apart) is reported for the symbol whose bar ends it, from the feed's latest bar.",
    requires: 'none',
    fields: {
      symbol,
      from: field.id('open time of the first missing bar (ISO 8601 UTC)'),
      to: field.id('open time of the last missing bar (ISO 8601 UTC), inclusive'),
      missing_bars: field.int('how many bars are missing'),
      interval_s: field.int('bar interval in seconds'),
      source: field.text('the file (and line) or feed the gap was found in'),
      wait_s: field
        .number('wall-clock seconds a paced replay waits, from this line, until the bar after the gap is due at its speed; absent when the bar is not waited for (speed max, a fresh session\'s warm-up); a restart reports no hole among the bars an earlier session decided')
        .optional(),
      resumes_at: field.id('wall-clock time (ISO 8601 UTC) the bar after the gap is due, with wait_s').optional(),
    },
  }),
  DATA_STALE: defineEvent({
    channel: 'system',
    level: 'warn',
    meaning: "A symbol's latest bar is older than the staleness threshold; buying on it is blocked.",
    requires: 'none',
    fields: {
      symbol,
      age_ms: field.number('time since the latest bar closed, on the feed clock'),
      threshold_ms: field.number('age above which data counts as stale'),
      last_bar_ts: field.id('open time of the latest bar (ISO 8601 UTC)'),
    },
  }),
  DATA_RESUMED: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'Fresh bars arrive again for a symbol that was stale.',
    requires: 'none',
    fields: {
      symbol,
      stale_for_ms: field.number('how long the symbol was stale, on the feed clock'),
      bar_ts: field.id('open time of the bar that ended the staleness (ISO 8601 UTC)'),
    },
  }),
  FEED_END: defineEvent({
    channel: 'system',
    level: 'info',
    meaning: 'A market data feed ended: data_end (the data ran out), stopped, or error (bad data).',
    requires: 'none',
    fields: {
      reason: field.oneOf(FEED_END_REASONS, 'why the feed ended'),
      symbols: field.json(z.array(z.string()), 'symbols the feed delivered'),
      bars: field.int('bars delivered'),
      gaps: field.int('DATA_GAP events reported: holes among the bars this session decided (a restart does not report again those of the bars replayed before its resume point)'),
      missing_bars: field.int('bars missing across those gaps'),
      duration_ms: field.number('wall time from start to end'),
      error_code: field.id('machine-readable code of the error that ended the feed').optional(),
      message: field.text('the error, when reason is error').optional(),
    },
  }),
};
