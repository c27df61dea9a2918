import { eventNeedles, filesOf } from './event-needles.js';
import { byTime, forEachEvent, inWindow, shiftIso, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { utc } from '../render/time-format.js';
import { ORDER_TYPES, OrdersTally, type IntentFilter, type IntentSummary, type OrdersReport } from './orders-tally.js';
import type { LogSet } from './log-set.js';
import { windowCutNote } from '../render/window-cut.js';
import type { SkippedLines } from './skipped-lines.js';

export { ORDER_STATUSES, type OrderStatus } from './orders-tally.js';

/**
 * How long before --since the orders files are read for the intents in flight at that edge: an
 * intent's lines usually span seconds; one resting or settled later (a GTC order, the order watcher,
 * a restart's reconciliation) may start earlier still, and is then listed from this far back.
 */
export const INTENT_LOOKBACK_MS = 60 * 60_000;

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
  const { window } = filter;
  // Intents the window cuts through, each listed whole (the tally keeps an intent with any line in it).
  let cut = 0;
  const onIntent = (summary: IntentSummary): void => {
    if (summary.events.some((e) => !inWindow(e.event, window))) cut++;
    options.onIntent?.(summary);
  };
  const tally = new OrdersTally(filter, options.limit, onIntent);
  const files = filesOf(set, ['orders']);
  if (!filter.intent) {
    // From INTENT_LOOKBACK_MS before --since, to the end (past --until): the lines of the intents in flight at either edge.
    const from = window.since === undefined ? {} : { since: shiftIso(window.since, -INTENT_LOOKBACK_MS) };
    await forEachEvent(set, eventNeedles(ORDER_TYPES), { window: from, files, skipped, stats }, (e) => tally.add(e));
    const report = tally.end();
    const edges = [...(window.since ? [`before --since ${utc(window.since)}`] : []), ...(window.until ? [`after --until ${utc(window.until)}`] : [])].join(' or ');
    const note = `${cut} intent${cut === 1 ? '' : 's'} with lines in the window also ha${cut === 1 ? 's' : 've'} lines ${edges}: listed whole, as a verdict drawn from part of an intent's lines would be wrong`;
    return { ...report, windowNotes: cut > 0 ? [note] : [] };
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
