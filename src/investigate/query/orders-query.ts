import { eventNeedles, filesOf } from './event-needles.js';
import { byTime, forEachEvent, inWindow, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { ORDER_TYPES, OrdersTally, type IntentFilter, type IntentSummary, type OrdersReport } from './orders-tally.js';
import type { LogSet } from './log-set.js';
import { windowCutNote } from '../render/window-cut.js';
import type { SkippedLines } from './skipped-lines.js';

export { ORDER_STATUSES, type OrderStatus } from './orders-tally.js';

/** The report, and for --intent what the window would have cut from each intent shown (shown whole instead). */
export type OrdersAnswer = OrdersReport & { readonly windowNotes: readonly string[] };

export interface OrdersFilter extends IntentFilter {
  readonly intent?: string;
  readonly window: TimeWindow;
}

/**
 * Order intents matching the filter, tallied while the orders files stream by: memory holds the
 * intents in flight and the latest `limit`, never every line. Only the orders files are read, with
 * or without `--intent`: every line an intent's verdict rests on is there. `onIntent` sees every
 * matching intent as it ends (for --json). The session filter is the tally's, by intent, not by
 * line: an intent a restart settled has its last line in the restarted session.
 */
export async function findOrders(
  set: LogSet,
  filter: OrdersFilter,
  options: { skipped: SkippedLines; stats: SearchStats; limit: number; onIntent?: (summary: IntentSummary) => void },
): Promise<OrdersAnswer> {
  const { skipped, stats } = options;
  const tally = new OrdersTally(filter, options.limit, options.onIntent);
  const files = filesOf(set, ['orders']);
  if (!filter.intent) {
    await forEachEvent(set, eventNeedles(ORDER_TYPES), { window: filter.window, files, skipped, stats }, (e) => tally.add(e));
    return { ...tally.end(), windowNotes: [] };
  }
  // --intent once went through the id index, which covers every channel: its first build read the
  // decisions logs too (1.7 GB, 43 s, for an answer in a 637 KB orders log), and only its lines in
  // the orders files were used. The orders files are read whole, not from --since, and the intent's
  // lines handed over in time order, as that lookup did: the same lines reported unreadable (every
  // misshapen one of the files, a torn last line) and the same intents, in the same order.
  // An intent with a line in the window is handed over whole: --since/--until cutting through it drew
  // its verdict from part of its lines (FILLED with 0 attempts, OPEN though filled).
  const prefix = filter.intent;
  const lines: LocatedEvent[] = [];
  await forEachEvent(set, [`"intent_id":"${prefix}`], { files, skipped, stats }, (e) => {
    if (e.event.intent_id?.startsWith(prefix) === true) lines.push(e);
  });
  const touched = new Set(lines.filter((e) => inWindow(e.event, filter.window)).map((e) => e.event.intent_id));
  const kept = lines.filter((e) => touched.has(e.event.intent_id)).sort(byTime);
  for (const e of kept) tally.add(e);
  const intents = [...touched].filter((id): id is string => id !== undefined).sort();
  const notes = intents.flatMap((id) => windowCutNote('intent', id, kept.filter((e) => e.event.intent_id === id), filter.window) ?? []);
  return { ...tally.end(), windowNotes: notes };
}
