import { LogIndex } from '../index/log-index.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { byTime, findEvents, inWindow, parseFound, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import { readLinesAt } from './read-at.js';
import type { SkippedLines } from './skipped-lines.js';

export const ORDER_STATUSES = ['filled', 'failed', 'canceled', 'open', 'retried'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One order intent: its attempts (one ORDER_CONTEXT each) and how it ended. */
export interface IntentSummary {
  readonly intentId: string;
  readonly decisionId: string | undefined;
  readonly symbol: string;
  readonly side: string;
  readonly events: LocatedEvent[];
  readonly contexts: LocatedEvent[];
  readonly retries: LocatedEvent[];
  readonly terminal: LocatedEvent | undefined;
  readonly status: 'filled' | 'failed' | 'canceled' | 'open';
}

export interface OrdersFilter {
  readonly intent?: string;
  readonly symbol?: string;
  readonly status?: OrderStatus;
  readonly session?: string;
  readonly window: TimeWindow;
}

const ORDER_TYPES = ['ORDER_CONTEXT', 'ORDER_RETRY', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'ORDER_FAILED', 'ORDER_CANCELED'] as const;

export function summarize(events: readonly LocatedEvent[]): IntentSummary[] {
  const groups = new Map<string, LocatedEvent[]>();
  for (const e of events) {
    const id = e.event.intent_id;
    if (!id || !(ORDER_TYPES as readonly string[]).includes(e.event.event_type)) continue;
    groups.set(id, [...(groups.get(id) ?? []), e]);
  }
  return [...groups.entries()].map(([intentId, list]) => {
    const sorted = [...list].sort(byTime);
    const terminal = sorted.find((e) => ['ORDER_FILLED', 'ORDER_FAILED', 'ORDER_CANCELED'].includes(e.event.event_type));
    const type = terminal?.event.event_type;
    const head = sorted[0]?.event as { symbol?: string; side?: string } | undefined;
    const sideEvent = sorted.find((e) => typeof (e.event as { side?: unknown }).side === 'string')?.event as { side?: string } | undefined;
    return {
      intentId,
      decisionId: sorted.find((e) => e.event.decision_id)?.event.decision_id,
      symbol: head?.symbol ?? '?',
      side: sideEvent?.side ?? '?',
      events: sorted,
      contexts: sorted.filter((e) => e.event.event_type === 'ORDER_CONTEXT'),
      retries: sorted.filter((e) => e.event.event_type === 'ORDER_RETRY'),
      terminal,
      status: type === 'ORDER_FILLED' ? 'filled' : type === 'ORDER_FAILED' ? 'failed' : type === 'ORDER_CANCELED' ? 'canceled' : 'open',
    };
  });
}

function keep(summary: IntentSummary, filter: OrdersFilter): boolean {
  if (filter.symbol && summary.symbol !== filter.symbol) return false;
  if (filter.status === 'retried') return summary.retries.length > 0;
  return !filter.status || summary.status === filter.status;
}

/** Order intents matching the filter, oldest first. `--intent` goes through the id index. */
export async function findOrders(set: LogSet, filter: OrdersFilter, skipped: SkippedLines, stats: SearchStats): Promise<IntentSummary[]> {
  let events: LocatedEvent[];
  const index = filter.intent ? await LogIndex.prepare(set) : null;
  if (filter.intent && index) {
    for (const item of index.malformed()) skipped.add(item);
    const lines = [];
    for (const [key, hits] of index.lookup(filter.intent)) {
      if (!key.startsWith('int_') && key !== filter.intent) continue;
      for (const hit of hits) lines.push(...(await readLinesAt(hit.file, hit.offsets)));
    }
    events = parseFound(lines, [], skipped).filter((e) => inWindow(e.event, filter.window)).sort(byTime);
    stats.files += set.files.length;
  } else {
    const needles = filter.intent ? [`"intent_id":"${filter.intent}`] : eventNeedles(ORDER_TYPES);
    events = await findEvents(set, needles, { window: filter.window, files: filesOf(set, ['orders']), skipped, stats });
  }
  if (filter.intent) events = events.filter((e) => e.event.intent_id?.startsWith(filter.intent ?? '') === true);
  if (filter.session) events = events.filter((e) => e.event.session_id === filter.session);
  return summarize(events).filter((s) => keep(s, filter));
}
