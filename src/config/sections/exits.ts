import { z } from 'zod';
import { key } from '../keys.js';

/** When an open position is sold. A rule set to 0 is off. */
export const exitsSection = z
  .object({
    take_profit_pct: key.decimal('1.5', { min: '0', max: '1000' }, 'sell when price rises this % above entry (0: off)'),
    stop_loss_pct: key.decimal('1', { min: '0', max: '100' }, 'sell when price falls this % below entry (0: off)'),
    trailing_stop_pct: key.decimal('0', { min: '0', max: '100' }, 'sell when price falls this % below its high since entry (0: off)'),
    max_holding: key.duration('6h', { min: '0s', max: '30d' }, 'sell a position held this long (0s: off)'),
  })
  .strict();
