import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { LogIndex } from '../index/log-index.js';
import { BASE_CONFIG } from '../testing/incidents.js';
import { SessionWriter } from '../testing/session-writer.js';
import { decisionOutcomes } from './decision-outcomes.js';
import { findEvents, newStats } from './find-events.js';
import { openLogSet } from './log-set.js';
import { SkippedLines } from './skipped-lines.js';

describe('decisionOutcomes through the index', () => {
  it('reads each decision segment once for all the ids, and answers what a scan of DECISION_END lines answers', async () => {
    const { generateLog } = await import('../testing/bulk-log.js');
    const log = generateLog(tempDir('tt-outcomes-'), 2 * 1024 * 1024);
    const logs = join(log.dataDir, 'logs');
    renameSync(join(logs, 'decisions.jsonl'), join(logs, 'decisions.20251026T160000000Z.jsonl'));
    const later = new SessionWriter({ dataDir: log.dataDir, sessionId: 'session_20251026_170000', start: new Date('2025-10-26T17:00:00Z'), config: BASE_CONFIG });
    const fresh = later.noSignal('ETH/USDT', '2500');
    later.end();
    const set = openLogSet(log.dataDir);
    const index = await LogIndex.prepare(set);
    if (!index) throw new Error('no index');

    const ends = await findEvents(set, ['"event_type":"DECISION_END"'], { skipped: new SkippedLines() });
    const expected = new Map<string, string>();
    for (const e of ends) if (e.event.event_type === 'DECISION_END' && e.event.decision_id) expected.set(e.event.decision_id, e.event.outcome);
    expect(expected.size).toBeGreaterThan(500);
    expect(expected.has(fresh)).toBe(true);
    const ids = [...expected.keys(), 'dec_20991231_000000_ffffff'];

    const reads: string[] = [];
    const found = await decisionOutcomes(set, ids, new SkippedLines(), newStats(), { onSegmentRead: (name) => reads.push(name) });
    expect(found.leftOut).toBeUndefined();
    expect([...found.outcomes].sort()).toEqual([...expected].sort());
    // One read per segment of the two decision files; a lookup per id read every segment of every log file for each.
    const decisionSegments = index.files.filter((f) => f.file.channel === 'decisions').flatMap((f) => f.meta.segments.map((s) => s.name));
    expect(decisionSegments).toHaveLength(2);
    expect(reads.sort()).toEqual(decisionSegments.sort());
  });
});
