import type { PositionRecord } from './records.js';

/** SELL_FILLED's holding_s: whole seconds from the position's opening to a fill at `soldAt` (ms UTC), never negative. */
export function holdingSeconds(position: Pick<PositionRecord, 'openedAt'>, soldAt: number): number {
  return Math.max(0, Math.round((soldAt - position.openedAt) / 1000));
}
