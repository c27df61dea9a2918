import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from './file-sink.js';
import { pruneRotated, type PruneOutcome } from './log-retention.js';
import { currentTrace, withDecision } from './trace-context.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');
}

/** A logs dir holding `files` (name → bytes). */
function logsWith(files: Record<string, number>): string {
  const logs = join(tempDir('tt-retention-'), 'logs');
  mkdirSync(logs, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(logs, name), 'x'.repeat(bytes));
  return logs;
}

const names = (logs: string): string[] => readdirSync(logs).sort();

describe('pruneRotated: which rotated log files go', () => {
  const old = stamp(NOW - 40 * DAY);
  const mid = stamp(NOW - 20 * DAY);
  const recent = stamp(NOW - 2 * DAY);
  const fresh = stamp(NOW - 10_000);
  const fresher = stamp(NOW - 5_000);
  const files = {
    'decisions.jsonl': 500,
    [`decisions.${old}.jsonl.gz`]: 100,
    [`decisions.${mid}.jsonl.gz`]: 100,
    [`decisions.${recent}.jsonl`]: 100,
    [`orders.${old}_2.jsonl.gz`]: 50,
    [`orders.${recent}.jsonl.gz`]: 50,
    [`audit.${old}.jsonl.gz`]: 10,
    [`alerts.${old}.jsonl.gz`]: 10,
    [`alerts.${mid}.jsonl.gz`]: 10,
    'decisions.jsonl.1.gz': 100,
    [`decisions.${old}.jsonl.gz.tmp`]: 30,
    'notes.txt': 5,
  };

  it('by age: files rotated longer ago than the limit, every channel but audit and alerts; current, newest rotated, logrotate and stray files stay', () => {
    const logs = logsWith(files);
    const outcome = pruneRotated(logs, { maxAgeMs: 30 * DAY, maxTotalBytes: 0, settleMs: 60_000 }, NOW);
    expect(outcome.failures).toEqual([]);
    expect(outcome.deleted.map((d) => d.path.split('/').pop()).sort()).toEqual([`decisions.${old}.jsonl.gz`, `orders.${old}_2.jsonl.gz`]);
    expect(outcome.deleted.map((d) => d.bytes).sort()).toEqual([100, 50]);
    expect(names(logs)).toEqual(
      ['decisions.jsonl', `decisions.${mid}.jsonl.gz`, `decisions.${recent}.jsonl`, `orders.${recent}.jsonl.gz`, `audit.${old}.jsonl.gz`, `alerts.${old}.jsonl.gz`, `alerts.${mid}.jsonl.gz`, 'decisions.jsonl.1.gz', `decisions.${old}.jsonl.gz.tmp`, 'notes.txt'].sort(),
    );
  });

  it('by size: the oldest rotated files go until the rest fit; the current and each channel\'s newest rotated file do not count', () => {
    const logs = logsWith(files);
    // Prunable: decisions of 40 and 20 days ago (100 + 100) and orders of 40 days ago (50) = 250 bytes.
    const outcome = pruneRotated(logs, { maxAgeMs: 0, maxTotalBytes: 200, settleMs: 60_000 }, NOW);
    // Oldest first (same stamp: by name): the decisions of 40 days ago leave 150.
    expect(outcome.deleted.map((d) => d.path.split('/').pop())).toEqual([`decisions.${old}.jsonl.gz`]);
    const tighter = pruneRotated(logs, { maxAgeMs: 0, maxTotalBytes: 60, settleMs: 60_000 }, NOW);
    expect(tighter.deleted.map((d) => d.path.split('/').pop())).toEqual([`orders.${old}_2.jsonl.gz`, `decisions.${mid}.jsonl.gz`]);
    expect(names(logs).filter((n) => /\.\d{8}T/.test(n) && !/^(audit|alerts)\./.test(n) && !n.endsWith('.tmp'))).toEqual([`decisions.${recent}.jsonl`, `orders.${recent}.jsonl.gz`]);
  });

  it('never a file rotated within the settle time, whatever the limits; nothing at all with both limits off', () => {
    const logs = logsWith({ [`decisions.${fresher}.jsonl`]: 10, [`decisions.${fresh}.jsonl`]: 1000, [`decisions.${old}.jsonl.gz`]: 10 });
    expect(pruneRotated(logs, { maxAgeMs: 0, maxTotalBytes: 0, settleMs: 60_000 }, NOW).deleted).toEqual([]);
    const outcome = pruneRotated(logs, { maxAgeMs: 1, maxTotalBytes: 1, settleMs: 60_000 }, NOW);
    expect(outcome.deleted.map((d) => d.path.split('/').pop())).toEqual([`decisions.${old}.jsonl.gz`]);
    expect(names(logs)).toEqual([`decisions.${fresh}.jsonl`, `decisions.${fresher}.jsonl`].sort());
  });

  it('leaves out the file a compression is working on, and a missing directory is nothing to do', () => {
    const logs = logsWith({ [`system.${old}.jsonl`]: 100, [`system.${mid}.jsonl.gz`]: 100, [`system.${recent}.jsonl.gz`]: 100 });
    const outcome = pruneRotated(logs, { maxAgeMs: DAY, maxTotalBytes: 0, settleMs: 0 }, NOW, new Set([join(logs, `system.${old}.jsonl`)]));
    expect(outcome.deleted.map((d) => d.path.split('/').pop())).toEqual([`system.${mid}.jsonl.gz`]);
    expect(pruneRotated(join(logs, 'gone'), { maxAgeMs: DAY, maxTotalBytes: 1, settleMs: 0 }, NOW)).toEqual({ deleted: [], failures: [] });
  });
});

describe('FileSink with a retention policy', () => {
  it('deletes what the policy no longer keeps at open and after its own rotation, and says what it deleted', async () => {
    const now = Date.now();
    const logs = logsWith({ [`decisions.${stamp(now - 40 * DAY)}.jsonl.gz`]: 100, [`decisions.${stamp(now - 2 * DAY)}.jsonl.gz`]: 100 });
    const reports: PruneOutcome[] = [];
    const sink = new FileSink(logs, {
      rotateBytes: 64,
      checkEveryLines: 1,
      retention: { policy: { maxAgeMs: 30 * DAY, maxTotalBytes: 250, settleMs: 0 }, onPruned: (outcome) => reports.push(outcome) },
    });
    try {
      await sleep(20);
      expect(reports).toHaveLength(1);
      expect(reports[0]?.deleted).toHaveLength(1);
      expect(reports[0]?.deleted[0]?.path).toContain(stamp(now - 40 * DAY));
      // Counted: every rotated file but the newest. The 2-day-old one (100 bytes) and one of ~66 bytes
      // per rotation before the newest: the fourth rotation passes 250.
      for (let i = 0; i < 4; i++) {
        sink.write('decisions', `{"n":${i},"pad":"${'p'.repeat(50)}"}\n`, false);
        await sleep(5);
      }
      await sleep(20);
      expect(reports).toHaveLength(2);
      expect(reports[1]?.deleted.map((d) => d.path)).toEqual([expect.stringContaining(stamp(now - 2 * DAY))]);
    } finally {
      sink.close();
    }
    expect(readdirSync(logs).filter((n) => n !== 'decisions.jsonl')).toHaveLength(4);
  });
});

describe('retention and compression after a rotation made by a decision\'s line', () => {
  it('run outside that decision: their LOG lines do not join its trace', async () => {
    const now = Date.now();
    const logs = logsWith({ [`decisions.${stamp(now - 40 * DAY)}.jsonl.gz`]: 100, [`decisions.${stamp(now - 39 * DAY)}.jsonl.gz`]: 100 });
    const seen: (string | undefined)[] = [];
    const sink = new FileSink(logs, {
      rotateBytes: 64,
      checkEveryLines: 1,
      compressRotated: { graceMs: 0, onFailure: () => seen.push(`failure in ${currentTrace()?.decisionId ?? 'no decision'}`) },
      retention: { policy: { maxAgeMs: 30 * DAY, maxTotalBytes: 0, settleMs: 0 }, onPruned: () => seen.push(currentTrace()?.decisionId) },
    });
    try {
      // Let the pass at open go first (it deletes the 40-day file, the 39-day one is then the newest).
      await sleep(20);
      seen.length = 0;
      withDecision('dec_20260101_000000_abcdef', () => sink.write('decisions', `{"pad":"${'p'.repeat(80)}"}\n`, false));
      await sleep(20);
      await sink.compression?.idle();
    } finally {
      sink.close();
    }
    expect(seen).toEqual([undefined]);
  });
});
