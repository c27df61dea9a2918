import type { ScanInput } from '../scan/parallel-scan.js';
import { scanUntil } from '../scan/scan-until.js';
import { offsetFrom } from '../scan/time-seek.js';
import { ORDER_SLACK_MS, parseFound, shiftIso, type LocatedEvent } from './find-events.js';
import type { SkippedLines } from './skipped-lines.js';

const SOLD = '"event_type":"SELL_FILLED"';

/**
 * The lines of a decision after its window, when all it can still have is its position's exit.
 * The exit (EXIT_TRIGGERED, the sell's order lines, SELL_FILLED) is on the orders channel, and a
 * position is sold once: the orders files after the window are read forward only up to that
 * SELL_FILLED. The exit's lines on other channels (the dashboard notice, an exit that erred and was
 * retried) are written between the window and the sale, so the other channels are read only up to
 * the sale's time plus slack. Never sold (still open, or the bot died): everything after the window.
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
  let soldAt = chain.find((e) => e.event.event_type === 'SELL_FILLED')?.event.ts;
  const found: LocatedEvent[] = [];
  if (soldAt === undefined) {
    const orders = tail.filter((i) => i.file.channel === 'orders' && i.size > i.from);
    const outcome = scanUntil(orders, `"decision_id":"${id}"`, (text) => text.includes(SOLD));
    stats.bytes += outcome.bytes;
    found.push(...parseFound(outcome.lines, outcome.torn, skipped).filter((e) => e.event.decision_id === id));
    soldAt = found.find((e) => e.event.event_type === 'SELL_FILLED')?.event.ts;
  }
  let others = tail.filter((i) => i.file.channel !== 'orders');
  if (soldAt !== undefined) {
    const until = shiftIso(soldAt, ORDER_SLACK_MS);
    others = others.map((i) => ({ ...i, size: i.size <= i.from ? i.size : Math.max(i.from, offsetFrom(i.file.path, i.size, until)) }));
  }
  others = others.filter((i) => i.size > i.from);
  return others.length === 0 ? found : [...found, ...(await scan(others))];
}
