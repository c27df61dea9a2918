import { z } from 'zod';
import { key } from '../keys.js';

/** The flight recorder's write mode, rotation and retention. */
export const recorderSection = z
  .object({
    mode: key.oneOf(['durable', 'buffered'], 'durable', 'durable: one write per line; buffered: batched, for fast backtests'),
    rotate_mb: key.int(256, { min: 1, max: 100_000 }, 'rotate a log file once it grows past this many MiB'),
    compress_rotated: key.bool(true, 'gzip each rotated log file in the background (queries read .gz files); false: leave them plain'),
    compress_after: key.duration('1m', { min: '1s', max: '1d' }, 'wait this long after a rotated file\'s last write before gzipping it (other writers may still append to it)'),
    keep_rotated_for: key.duration('0s', { min: '0s', max: '3650d' }, 'delete rotated log files rotated longer ago than this (never the audit and alerts channels or a channel\'s newest rotated file), checked at start, at each rotation and hourly (0s: keep them all)'),
    keep_rotated_mb: key.int(0, { min: 0, max: 100_000_000 }, 'delete the oldest rotated log files (never the audit and alerts channels or a channel\'s newest rotated file) while those together pass this many MiB (0: no limit)'),
  })
  .strict();
