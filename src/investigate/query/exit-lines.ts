import type { ScanInput } from '../scan/parallel-scan.js';
import { scanUntil } from '../scan/scan-until.js';
import { offsetBefore, offsetFrom } from '../scan/time-seek.js';
import { ORDER_SLACK_MS, parseOutcome, shiftIso, type LocatedEvent } from './find-events.js';
import type { SkippedLines } from './skipped-lines.js';

const SOLD = '"event_type":"SELL_FILLED"';

/**
 * The lines of a decision after its window, when all it can still have is its position's exit.
 * The exit starts with EXIT_TRIGGERED and ends with SELL_FILLED, both on the orders channel with the
 * sell's order lines, and a position is sold once: the orders files after the window are read forward
 * only up to that SELL_FILLED. The exit's lines on other channels (the dashboard notice, an exit that
 * erred and was retried) are written between its first orders line and the sale, so the other
 * channels are read only over that span, plus slack: none at all when no exit began.
 *
 * `tail` is each plain file from the window's end to its size; `scan` scans and parses inputs.
 */
export async function exitLines(
  chain: readonly LocatedEvent[],
  id: string,
  tail: readonly ScanInput[],
  skipped: SkippedLines,
  stats: { bytes: number },
  scan: (inputs: ScanInput[]) => Promise<LocatedEvent[]>,
): Promise<LocatedEvent[]> {
  const windowSold = chain.find((e) => e.event.event_type === 'SELL_FILLED')?.event.ts;
  const found: LocatedEvent[] = [];
  if (windowSold === undefined) {
    const orders = tail.filter((i) => i.file.channel === 'orders' && i.size > i.from);
    const outcome = await scanUntil(orders, `"decision_id":"${id}"`, SOLD);
    stats.bytes += outcome.bytes;
    found.push(...parseOutcome(outcome, skipped).filter((e) => e.event.decision_id === id));
  }
  const began = windowSold ?? found.reduce<string | undefined>((min, e) => (min === undefined || e.event.ts < min ? e.event.ts : min), undefined);
  if (began === undefined) return found;
  const soldAt = windowSold ?? found.find((e) => e.event.event_type === 'SELL_FILLED')?.event.ts;
  const from = shiftIso(began, -ORDER_SLACK_MS);
  const until = soldAt === undefined ? undefined : shiftIso(soldAt, ORDER_SLACK_MS);
  const others = tail
    .filter((i) => i.file.channel !== 'orders' && i.size > i.from)
    .map((i) => ({
      ...i,
      from: Math.max(i.from, offsetBefore(i.file.path, i.size, from)),
      size: until === undefined ? i.size : Math.max(i.from, offsetFrom(i.file.path, i.size, until)),
    }))
    .filter((i) => i.size > i.from);
  return others.length === 0 ? found : [...found, ...(await scan(others))];
}
