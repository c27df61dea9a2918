import type { IndexOptions } from '../index/log-index.js';
import { filesOf } from './event-needles.js';
import { findEvents, parseFound, type SearchStats } from './find-events.js';
import type { LogSet } from './log-set.js';
import { readLinesAt } from './read-at.js';
import type { SkippedLines } from './skipped-lines.js';
import { INDEX_INLINE_BYTES } from './trace-query.js';

/**
 * Without a current index, a scan for the outcomes is only worth it over this many bytes of
 * decision logs: one needle per id, so 200 ids over 1.7 GB took minutes for a line of detail.
 */
const SCAN_LIMIT_BYTES = 64 * 1024 * 1024;
/** Ids per scan: each needle more is one more pass of the matcher over every line. */
const SCAN_LIMIT_IDS = 200;
/** Lines read and parsed at a time from one decision file: what the outcomes of 150k decisions hold in memory at once. */
const LINES_PER_READ = 16384;

export interface DecisionOutcomes {
  readonly outcomes: ReadonlyMap<string, string>;
  /** Why no outcome was looked up, when that was too costly: for a note beside the answer. */
  readonly leftOut?: string;
}

/**
 * How each decision ended (its DECISION_END outcome), for the ids that can be found cheaply: from the
 * id index when it is current (or nearly: it is brought up to date first, as trace does), else by
 * one scan of the decision logs when they are small. An id left out is shown without its outcome.
 */
export async function decisionOutcomes(set: LogSet, ids: readonly string[], skipped: SkippedLines, stats: SearchStats, indexOptions: IndexOptions = {}): Promise<DecisionOutcomes> {
  const outcomes = new Map<string, string>();
  if (ids.length === 0) return { outcomes };
  const decisionFiles = filesOf(set, ['decisions']);
  const { LogIndex } = await import('../index/log-index.js');
  const index = LogIndex.pendingBytes(set) <= INDEX_INLINE_BYTES ? await LogIndex.prepare(set, indexOptions) : null;
  if (index) {
    // One lookup for every id (each segment read once), then each decision file's lines read in order.
    const found = index.lookupMany(ids, decisionFiles);
    const offsetsOf = new Map<string, number[]>();
    for (const hits of found.values()) {
      for (const hit of hits) {
        const list = offsetsOf.get(hit.file.path) ?? [];
        for (const offset of hit.offsets) list.push(offset);
        offsetsOf.set(hit.file.path, list);
      }
    }
    for (const file of decisionFiles) {
      const offsets = (offsetsOf.get(file.path) ?? []).sort((a, b) => a - b);
      for (let i = 0; i < offsets.length; i += LINES_PER_READ) {
        const lines = await readLinesAt(file, offsets.slice(i, i + LINES_PER_READ));
        for (const e of parseFound(lines, [], skipped)) {
          const id = e.event.decision_id;
          // A line answers for the decision it was indexed under, as a lookup of that id would read it.
          if (e.event.event_type === 'DECISION_END' && id !== undefined && (found.get(id) ?? []).some((hit) => hit.file.path === file.path && hit.offsets.includes(e.offset))) outcomes.set(id, e.event.outcome);
        }
      }
    }
    return { outcomes };
  }
  let bytes = 0;
  for (const file of decisionFiles) bytes += set.sizes.get(file.path) ?? 0;
  if (ids.length > SCAN_LIMIT_IDS || bytes > SCAN_LIMIT_BYTES) {
    const mb = (n: number): string => `${Math.round(n / (1024 * 1024))} MB`;
    const why = ids.length > SCAN_LIMIT_IDS ? `${ids.length} decisions are linked` : `the decision logs are ${mb(bytes)}`;
    return { outcomes, leftOut: `how each decision ended is left out: the id index is more than ${mb(INDEX_INLINE_BYTES)} behind the logs and ${why}; \`tradetrace trace <decision_id>\` shows one (and brings the index up to date, for the next dash)` };
  }
  const ends = await findEvents(set, ids.map((id) => `"decision_id":"${id}"`), { files: decisionFiles, skipped, stats });
  for (const e of ends) if (e.event.event_type === 'DECISION_END' && e.event.decision_id) outcomes.set(e.event.decision_id, e.event.outcome);
  return { outcomes };
}
