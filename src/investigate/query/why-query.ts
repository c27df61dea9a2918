import { DECISION_OUTCOMES } from '../../recorder/events/decision-events.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { forEachEvent, type LocatedEvent, type SearchStats, type TimeWindow } from './find-events.js';
import type { LogSet } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';
import { WhyMerger, type WhyFilter, type WhyReport } from './why-merge.js';
import { addLine, emptySummary, WHY_TYPES } from './why-summary.js';

export type { GuardGroup, WhyReport } from './why-merge.js';

const NEEDLES = eventNeedles([...WHY_TYPES]);

function matches(filter: WhyFilter, e: LocatedEvent): boolean {
  const symbol = (e.event as { symbol?: unknown }).symbol;
  return (!filter.session || e.event.session_id === filter.session) && (!filter.symbol || symbol === filter.symbol);
}

function badOutcome(e: LocatedEvent): Parameters<SkippedLines['add']>[0] {
  const outcome = (e.event as { outcome?: unknown }).outcome;
  return { file: e.file, offset: e.offset, code: 'invalid_field', message: `DECISION_END outcome ${JSON.stringify(outcome)} is not one of ${DECISION_OUTCOMES.join(', ')}`, excerpt: e.text.slice(0, 120) };
}

export async function explainNoBuys(
  set: LogSet,
  filter: WhyFilter & { window: TimeWindow },
  skipped: SkippedLines,
  stats: SearchStats,
): Promise<WhyReport> {
  // Streamed into per-file summaries (counters and a few example lines), never the lines themselves.
  const { window } = filter;
  const merger = new WhyMerger(filter);
  const files = filesOf(set, ['decisions']);
  for (const [rank, file] of files.entries()) {
    const part = emptySummary();
    await forEachEvent(set, NEEDLES, { window, files: [file], skipped, stats }, (e) => {
      if (!addLine(part, e) && matches(filter, e)) skipped.add(badOutcome(e));
    });
    merger.add(part, file, rank);
  }
  return merger.finish();
}
