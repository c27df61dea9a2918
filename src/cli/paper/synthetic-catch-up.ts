import { ReplayCursor } from '../../engine/replay-cursor.js';
import type { ReplaySpeed } from '../../market-data/index.js';

const BAR_MS = 60_000;

export interface CatchUp {
  /** Close time of the last bar an earlier session decided on (ms UTC), ahead of the wall clock. */
  readonly cursorMs: number;
  /** Wall time, at this speed, until the synthetic market reaches that bar and trading resumes. */
  readonly waitMs: number;
}

/**
 * A synthetic market starts at the wall clock, but at speed N an earlier session on the same data
 * directory decided bars up to N times further ahead; a resumed session decides no bar twice, so it
 * only warms its indicators until it catches up. Returns how long that takes when it is worth telling
 * the operator (more than a few seconds), else null. A damaged cursor file is left to the session,
 * which reports it with its path.
 */
export function syntheticCatchUp(dataDir: string, speed: ReplaySpeed, nowMs = Date.now()): CatchUp | null {
  if (speed === 'max') return null;
  let cursorMs: number | undefined;
  try {
    cursorMs = new ReplayCursor(dataDir).read();
  } catch {
    return null;
  }
  if (cursorMs === undefined || cursorMs <= nowMs + BAR_MS) return null;
  const waitMs = (cursorMs - nowMs) / speed;
  return waitMs < 5_000 ? null : { cursorMs, waitMs };
}

export function formatCatchUp(dataDir: string, catchUp: CatchUp): string {
  const minutes = catchUp.waitMs / 60_000;
  const wait = minutes >= 1 ? `about ${Math.ceil(minutes)} min` : `about ${Math.ceil(catchUp.waitMs / 1000)} s`;
  return (
    `tradetrace paper: note: an earlier session on ${dataDir} ran the synthetic market up to ${new Date(catchUp.cursorMs).toISOString()}; ` +
    `no bar is decided twice, so this session only warms up for ${wait} before it trades. ` +
    `For a fresh market now, use another --data-dir.\n`
  );
}
