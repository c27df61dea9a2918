import { eventNeedles, filesOf } from './event-needles.js';
import { byTime, forEachEvent, inWindow, shiftIso, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import { ORDER_TYPES, OrdersTally, type IntentFilter, type IntentSummary, type OrdersReport } from './orders-tally.js';
import type { LogSet } from './log-set.js';
import { linesOutside, type LinesOutside } from './lines-outside.js';
import type { SkippedLines } from './skipped-lines.js';
import { damagedLinesOf } from './intent-damaged-lines.js';

export { ORDER_STATUSES, type OrderStatus } from './orders-tally.js';

/**
 * How long before --since the orders files are read for the intents in flight at that edge: an
 * intent's lines usually span seconds; one resting or settled later (a GTC order, the order watcher,
 * a restart's reconciliation) may start earlier still, and is then listed from this far back.
 */
export const INTENT_LOOKBACK_MS = 60 * 60_000;

/** What the window would have cut from the intents shown, each shown whole instead (see findOrders). */
export interface OrdersWindowCuts {
  /** --intent: each intent shown whose lines the window cuts. */
  readonly intents: readonly { readonly id: string; readonly outside: LinesOutside }[];
  /** The listing: intents with lines in the window and outside it. */
  readonly listedWhole: number;
  /**
   * The listing: intents whose ORDER_CONTEXT is older than INTENT_LOOKBACK_MS before --since, so
   * only their later lines were read (a GTC order resting for hours, a restart settling an old one).
   */
  readonly startedEarlier: readonly string[];
}

/**
 * `ambiguous`: the --intent prefix matched several intents (their ids, sorted) and nothing was
 * tallied: `int_2` once listed 24 intents, `int_` all of them, as if that were the answer.
 */
export type OrdersAnswer = OrdersReport & { readonly cuts: OrdersWindowCuts; readonly ambiguous?: readonly string[] };

/** An intent a kill cut before its ORDER_CONTEXT: the restart's reconciliation is all it has. */
function neverRecorded(summary: IntentSummary): boolean {
  return summary.events.every((e) => e.event.event_type === 'ORDER_RECONCILED' && e.event.previous_status === 'not_recorded');
}

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
  let listedWhole = 0;
  const startedEarlier: string[] = [];
  const onIntent = (summary: IntentSummary): void => {
    if (summary.events.some((e) => !inWindow(e.event, window))) listedWhole++;
    if (window.since !== undefined && summary.contexts.length === 0 && !neverRecorded(summary)) startedEarlier.push(summary.intentId);
    options.onIntent?.(summary);
  };
  const tally = new OrdersTally(filter, options.limit, onIntent);
  const files = filesOf(set, ['orders']);
  if (!filter.intent) {
    // From INTENT_LOOKBACK_MS before --since, to the end (past --until): the lines of the intents in flight at either edge.
    const from = window.since === undefined ? {} : { since: shiftIso(window.since, -INTENT_LOOKBACK_MS) };
    await forEachEvent(set, eventNeedles(ORDER_TYPES), { window: from, files, skipped, stats }, (e) => tally.add(e));
    return withDamaged({ ...tally.end(), cuts: { intents: [], listedWhole, startedEarlier } }, skipped);
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
  // A prefix of several intents is refused, as trace refuses one of several decisions: which of
  // them is meant is the operator's to say. Told over every line, whatever the window: the id is.
  const matched = [...new Set(lines.map((e) => e.event.intent_id))].filter((id): id is string => id !== undefined).sort();
  if (matched.length > 1) return { ...tally.end(), cuts: { intents: [], listedWhole: 0, startedEarlier: [] }, ambiguous: matched };
  const touched = new Set(lines.filter((e) => inWindow(e.event, filter.window)).map((e) => e.event.intent_id));
  const kept = lines.filter((e) => touched.has(e.event.intent_id)).sort(byTime);
  for (const e of kept) tally.add(e);
  const intents = [...touched].filter((id): id is string => id !== undefined).sort();
  const cut = intents.flatMap((id) => {
    const outside = linesOutside(kept.filter((e) => e.event.intent_id === id), filter.window);
    return outside ? [{ id, outside }] : [];
  });
  return withDamaged({ ...tally.end(), cuts: { intents: cut, listedWhole: 0, startedEarlier: [] } }, skipped);
}

/** The answer with the unreadable lines of the intents it shows, when it has any (see damagedLinesOf). */
async function withDamaged(answer: OrdersAnswer, skipped: SkippedLines): Promise<OrdersAnswer> {
  if (skipped.count === 0 || answer.latest.length === 0) return answer;
  const damaged = await damagedLinesOf(skipped, answer.latest.map((s) => s.intentId));
  return damaged.size > 0 ? { ...answer, damaged } : answer;
}
