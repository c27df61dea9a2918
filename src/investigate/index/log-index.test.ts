import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openLogSet } from '../query/log-set.js';
import { SkippedLines } from '../query/skipped-lines.js';
import { DECISION_WINDOW_MS, traceDecision } from '../query/trace-query.js';
import { SessionWriter } from '../testing/session-writer.js';
import { BASE_CONFIG, writeOrderFailures } from '../testing/incidents.js';
import { LogIndex } from './log-index.js';

async function trace(dir: string, id: string, useIndex: boolean): Promise<string[]> {
  const outcome = await traceDecision(openLogSet(dir), id, { skipped: new SkippedLines(), useIndex });
  return outcome.kind === 'found' ? outcome.events.map((e) => e.text) : [outcome.kind];
}

function segments(dir: string): string[] {
  return readdirSync(join(dir, 'index')).filter((n) => n.endsWith('.seg')).sort();
}

describe('LogIndex', () => {
  it('that cannot be written is no index: the query scans instead of failing', async () => {
    const dir = tempDir('tt-idx-unwritable-');
    const facts = writeOrderFailures(dir);
    const orders = statSync(join(dir, 'logs', 'orders.jsonl'));
    // Where the index writes the orders file's metadata (as root, permission bits would not stop it): taken by a directory.
    mkdirSync(join(dir, 'index', `${orders.dev}-${orders.ino}.json.${process.pid}.tmp`), { recursive: true });
    expect(await LogIndex.prepare(openLogSet(dir))).toBeNull();
    expect(await trace(dir, facts.filled.decisionId, true)).toEqual(await trace(dir, facts.filled.decisionId, false));
  });

  it('answers exactly what a full scan answers', async () => {
    const dir = tempDir('tt-idx-');
    const facts = writeOrderFailures(dir);
    for (const r of [facts.filled, facts.minNotional, facts.exhausted, facts.balance]) {
      const byIndex = await trace(dir, r.decisionId, true);
      expect(byIndex).toEqual(await trace(dir, r.decisionId, false));
      expect(byIndex.length).toBeGreaterThan(4);
    }
    const index = await LogIndex.prepare(openLogSet(dir));
    expect([...(index?.lookup(facts.filled.intentId).keys() ?? [])]).toEqual([facts.filled.intentId]);
    expect([...(index?.lookup('dec_20251026_1102').keys() ?? [])]).toEqual([facts.minNotional.decisionId]);
  });

  it('extends incrementally as files grow, re-indexes a replaced file, and keeps a rotated file\'s index', async () => {
    const dir = tempDir('tt-idx-grow-');
    writeOrderFailures(dir);
    await LogIndex.prepare(openLogSet(dir));
    const before = segments(dir);
    // A later session appends to the same files.
    const later = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_150000', start: new Date('2025-10-26T15:00:00Z'), config: BASE_CONFIG });
    const blocked = later.blocked('BTC/USDT', 'max_open_positions', 3, 3, 'full');
    later.end();
    expect(await trace(dir, blocked, true)).toHaveLength(3);
    // Small segments are regrown in place, so growth does not pile up tiny segments.
    expect(segments(dir)).toHaveLength(before.length);
    expect(segments(dir)).not.toEqual(before);

    // Rotation renames the file (same inode): its index is kept as is; the new current file gets its own.
    const logs = join(dir, 'logs');
    renameSync(join(logs, 'decisions.jsonl'), join(logs, 'decisions.20251026T160000000Z.jsonl'));
    const meta = readdirSync(join(dir, 'index')).filter((n) => n.endsWith('.json'));
    const next = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_170000', start: new Date('2025-10-26T17:00:00Z'), config: BASE_CONFIG });
    const fresh = next.noSignal('ETH/USDT', '2500');
    next.end();
    expect(await trace(dir, blocked, true)).toHaveLength(3);
    expect(await trace(dir, fresh, true)).toHaveLength(2);
    expect(readdirSync(join(dir, 'index')).filter((n) => n.endsWith('.json')).length).toBe(meta.length + 1);

    // A file rewritten in place (truncated and refilled) must not be read through its old offsets.
    const current = join(logs, 'decisions.jsonl');
    const text = readFileSync(current, 'utf8');
    writeFileSync(current, `${'{"ts":"2025-10-26T17:00:00.000Z","level":"info","event_type":"LOG","session_id":"x","seq":1,"message":"padding"}\n'.repeat(3)}${text}`);
    expect(await trace(dir, fresh, true)).toEqual(await trace(dir, fresh, false));
  });

  it('does not index a torn last line until it is whole', async () => {
    const dir = tempDir('tt-idx-torn-');
    const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_180000', start: new Date('2025-10-26T18:00:00Z'), config: BASE_CONFIG });
    const first = s.noSignal('BTC/USDT', '45000');
    s.abandon();
    const decisions = join(dir, 'logs', 'decisions.jsonl');
    const whole = `{"ts":"2025-10-26T18:00:01.000Z","level":"info","event_type":"DECISION_START","session_id":"session_20251026_180000","seq":50,"decision_id":"dec_20251026_180001_abcdef","symbol":"BTC/USDT","bar_ts":"x","price":1,"strategy":"s"}\n`;
    writeFileSync(decisions, readFileSync(decisions, 'utf8') + whole.slice(0, 90));
    expect(await trace(dir, 'dec_20251026_180001_abcdef', true)).toEqual(['not_found']);
    writeFileSync(decisions, readFileSync(decisions, 'utf8') + whole.slice(90));
    expect(await trace(dir, 'dec_20251026_180001_abcdef', true)).toHaveLength(1);
    expect(await trace(dir, first, true)).toHaveLength(2);
  });
});

describe('pruned scan and index on a multi-megabyte log', () => {
  it('find exactly the lines a full grep finds, for decisions early, in the middle and late', async () => {
    const { generateLog } = await import('../testing/bulk-log.js');
    const { execFileSync } = await import('node:child_process');
    const log = generateLog(tempDir('tt-bulk-'), 16 * 1024 * 1024);
    const ids = [log.early, log.middle, log.late, log.unsold, ...log.blocked];
    expect(ids.length).toBeGreaterThan(4);
    for (const id of ids) {
      const grep = execFileSync('sh', ['-c', `grep -h 'decision_id":"${id}' logs/*.jsonl`], { cwd: log.dataDir, encoding: 'utf8' }).trim().split('\n').sort();
      expect((await trace(log.dataDir, id, false)).sort(), id).toEqual(grep);
      expect((await trace(log.dataDir, id, true)).sort(), id).toEqual(grep);
    }
    // The late decision's exit is found well after its own window (and its 5-minute slack).
    const late = await trace(log.dataDir, log.late, false);
    const ts = (type: string) => Date.parse((JSON.parse(late.find((l) => l.includes(`"event_type":"${type}"`)) ?? '{}') as { ts?: string }).ts ?? '');
    expect(ts('SELL_FILLED') - ts('DECISION_START')).toBeGreaterThan(DECISION_WINDOW_MS + 10 * 60_000);
    expect((await trace(log.dataDir, log.unsold, false)).some((l) => l.includes('"event_type":"SELL_FILLED"'))).toBe(false);
  });
});

describe('forEachEvent rounds', () => {
  it('rounds cut anywhere in a line still yield every matching line exactly once', async () => {
    const { generateLog } = await import('../testing/bulk-log.js');
    const { findEvents, forEachEvent, newStats } = await import('../query/find-events.js');
    const log = generateLog(tempDir('tt-rounds-'), 2 * 1024 * 1024);
    const set = openLogSet(log.dataDir);
    const needles = ['"event_type":"DECISION_END"', '"event_type":"ORDER_FAILED"'];
    const all = (await findEvents(set, needles, { skipped: new SkippedLines(), stats: newStats() })).map((e) => `${e.file.path}:${e.offset}`).sort();
    for (const roundBytes of [99_991, 333_333]) {
      const seen: string[] = [];
      await forEachEvent(set, needles, { skipped: new SkippedLines(), roundBytes }, (e) => seen.push(`${e.file.path}:${e.offset}`));
      expect(seen.sort()).toEqual(all);
    }
    expect(all.length).toBeGreaterThan(1000);
  });
});

describe('LogIndex.lookupMany', () => {
  /** A multi-megabyte log whose decisions were rotated and continued by a later session: two decision files, many fence slices. */
  async function rotatedBulk() {
    const { generateLog } = await import('../testing/bulk-log.js');
    const log = generateLog(tempDir('tt-idx-many-'), 3 * 1024 * 1024);
    const logs = join(log.dataDir, 'logs');
    renameSync(join(logs, 'decisions.jsonl'), join(logs, 'decisions.20251026T160000000Z.jsonl'));
    const later = new SessionWriter({ dataDir: log.dataDir, sessionId: 'session_20251026_170000', start: new Date('2025-10-26T17:00:00Z'), config: BASE_CONFIG });
    const fresh = later.noSignal('ETH/USDT', '2500');
    later.end();
    const reads: string[] = [];
    const index = await LogIndex.prepare(openLogSet(log.dataDir), { onSegmentRead: (name) => reads.push(name) });
    if (!index) throw new Error('no index');
    return { log, index, reads, fresh };
  }

  const shown = (found: Map<string, { file: { path: string }; offsets: number[] }[]>) => [...found].map(([key, hits]) => [key, hits.map((h) => [h.file.path, h.offsets])]).sort();

  it('answers each id as a lookup of that id does, reading each segment once for all of them', async () => {
    const { index, reads, fresh } = await rotatedBulk();
    const keys = [...index.lookup('dec_').keys(), ...index.lookup('int_').keys()];
    expect(keys.length).toBeGreaterThan(2000);
    const some = keys.filter((_, i) => i % 7 === 0);
    // A prefix of an id is no id: lookupMany takes exact ids (lookup takes prefixes).
    const asked = [...some, fresh, fresh, 'dec_20991231_000000_ffffff', (some[0] ?? '').slice(0, -2), ''];
    const expected = new Map<string, { file: { path: string }; offsets: number[] }[]>();
    for (const id of new Set(asked)) {
      const hits = index.lookup(id).get(id);
      if (hits) expected.set(id, hits);
    }
    reads.length = 0;
    const found = index.lookupMany(asked);
    expect(shown(found)).toEqual(shown(expected));
    expect(found.size).toBe(some.length + 1);
    const segments = index.files.flatMap((f) => f.meta.segments.map((s) => s.name));
    expect(reads.sort()).toEqual(segments.sort());
  });

  it('given files, reads only their segments', async () => {
    const { index, reads, fresh } = await rotatedBulk();
    const decisionFiles = index.files.filter((f) => f.file.channel === 'decisions');
    expect(decisionFiles).toHaveLength(2);
    const ids = [...index.lookup('dec_').keys()];
    reads.length = 0;
    const found = index.lookupMany(ids, decisionFiles.map((f) => f.file));
    expect(reads.sort()).toEqual(decisionFiles.flatMap((f) => f.meta.segments.map((s) => s.name)).sort());
    expect(found.get(fresh)?.map((h) => h.file.path)).toEqual([decisionFiles[1]?.file.path]);
    for (const hits of found.values()) for (const hit of hits) expect(hit.file.channel).toBe('decisions');
  });
});
