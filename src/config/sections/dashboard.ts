import { z } from 'zod';
import { key } from '../keys.js';

/** The live terminal dashboard. */
export const dashboardSection = z
  .object({
    enable_live_dashboard: key.bool(true, 'draw the live dashboard in the terminal (off when stdout is not a TTY)'),
    refresh_ms: key.int(500, { min: 50, max: 60_000 }, 'redraw interval'),
  })
  .strict();
