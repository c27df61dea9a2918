import { z } from 'zod';
import { key } from '../keys.js';

/** The flight recorder's write mode and rotation. */
export const recorderSection = z
  .object({
    mode: key.oneOf(['durable', 'buffered'], 'durable', 'durable: one write per line; buffered: batched, for fast backtests'),
    rotate_mb: key.int(256, { min: 1, max: 100_000 }, 'rotate a log file once it grows past this many MiB'),
  })
  .strict();
