import { LogIndex } from '../index/log-index.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { byTime, forEachEvent, inWindow, parseFound, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { ORDER_TYPES, OrdersTally, type IntentFilter, type IntentSummary, type OrdersReport } from './orders-tally.js';
import { reportIndexSkips } from './index-skips.js';
import type { LogSet } from './log-set.js';
import { readLinesAt } from './read-at.js';
import type { SkippedLines } from './skipped-lines.js';

export { ORDER_STATUSES, type OrderStatus } from './orders-tally.js';

export interface OrdersFilter extends IntentFilter {
  readonly intent?: string;
  readonly window: TimeWindow;
}

/**
 * Order intents matching the filter, tallied while the orders files stream by: memory holds the
 * intents in flight and the latest `limit`, never every line. `--intent` goes through the id index.
 * `onIntent` sees every matching intent as it ends (for --json). The session filter is the tally's,
 * by intent, not by line: an intent a restart settled has its last line in the restarted session.
 */
export async function findOrders(
  set: LogSet,
  filter: OrdersFilter,
  options: { skipped: SkippedLines; stats: SearchStats; limit: number; onIntent?: (summary: IntentSummary) => void },
): Promise<OrdersReport> {
  const { skipped, stats } = options;
  const tally = new OrdersTally(filter, options.limit, options.onIntent);
  const accept = (e: LocatedEvent) => !filter.intent || e.event.intent_id?.startsWith(filter.intent) === true;
  const index = filter.intent ? await LogIndex.prepare(set) : null;
  if (filter.intent && index) {
    // What the scan below reads, and so reports unreadable lines of: the orders files. The index
    // covers every channel (an intent's BUY_ORDER and fills are decision lines), and its lines
    // found in the others are not order lines.
    const files = filesOf(set, ['orders']);
    const wanted = new Set(files.map((f) => f.path));
    await reportIndexSkips(set, index, skipped, wanted);
    const lines = [];
    for (const [key, hits] of index.lookup(filter.intent)) {
      if (!key.startsWith('int_') && key !== filter.intent) continue;
      for (const hit of hits) if (wanted.has(hit.file.path)) lines.push(...(await readLinesAt(hit.file, hit.offsets)));
    }
    const events = parseFound(lines, [], skipped).filter((e) => inWindow(e.event, filter.window)).sort(byTime);
    stats.files += files.length;
    for (const e of events) if (accept(e)) tally.add(e);
  } else {
    const needles = filter.intent ? [`"intent_id":"${filter.intent}`] : eventNeedles(ORDER_TYPES);
    await forEachEvent(set, needles, { window: filter.window, files: filesOf(set, ['orders']), skipped, stats }, (e) => {
      if (accept(e)) tally.add(e);
    });
  }
  return tally.end();
}
