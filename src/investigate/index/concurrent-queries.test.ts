import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openLogSet } from '../query/log-set.js';
import { BASE_CONFIG, writeOrderFailures } from '../testing/incidents.js';
import { SessionWriter } from '../testing/session-writer.js';
import { LogIndex } from './log-index.js';

/** Two `tradetrace` queries at once on one data dir, as an operator with two terminals runs them. */

function indexFiles(dir: string, ext: string): string[] {
  return readdirSync(join(dir, 'index'))
    .filter((n) => n.endsWith(ext))
    .sort();
}

/** Every segment the index metadata on disk lists. */
function listedSegments(dir: string): string[] {
  return indexFiles(dir, '.json')
    .flatMap((n) => (JSON.parse(readFileSync(join(dir, 'index', n), 'utf8')) as { segments: { name: string }[] }).segments.map((s) => s.name))
    .sort();
}

/** The bot goes on writing: a later session appends to the same log files. */
function appendSession(dir: string, sessionId: string, start: string): string {
  const later = new SessionWriter({ dataDir: dir, sessionId, start: new Date(start), config: BASE_CONFIG });
  const id = later.blocked('BTC/USDT', 'max_open_positions', 3, 3, 'full');
  later.end();
  return id;
}

function damageRecorder(): { notes: string[][]; onDamaged: (paths: readonly string[]) => void } {
  const notes: string[][] = [];
  return { notes, onDamaged: (paths) => notes.push([...paths]) };
}

describe('two queries on one index', () => {
  it('a segment the other query regrew while this one read is no damage, and is not written back as an orphan', async () => {
    const dir = tempDir('tt-idx-regrow-');
    const facts = writeOrderFailures(dir);
    const a = damageRecorder();
    const first = await LogIndex.prepare(openLogSet(dir), { onDamaged: a.onDamaged });
    if (!first) throw new Error('no index');
    appendSession(dir, 'session_20251026_150000', '2025-10-26T15:00:00Z');
    // Query B, in another terminal, brings the index up to the grown files: it regrows the small last segments.
    const b = damageRecorder();
    const second = await LogIndex.prepare(openLogSet(dir), { onDamaged: b.onDamaged });
    const afterB = indexFiles(dir, '.seg');
    // Query A now reads the segments it prepared: it answers what B answers, for the bytes A saw.
    const ids = [facts.filled.intentId, facts.filled.decisionId, facts.minNotional.decisionId];
    for (const id of ids) {
      const seen = [...first.lookup(id)].map(([key, hits]) => [key, hits.map((h) => [h.file.path, h.offsets])]);
      expect(seen, id).toEqual([...(second?.lookup(id) ?? [])].map(([key, hits]) => [key, hits.map((h) => [h.file.path, h.offsets])]));
      expect(seen.length, id).toBe(1);
    }
    expect(a.notes).toEqual([]);
    expect(b.notes).toEqual([]);
    expect(indexFiles(dir, '.seg')).toEqual(afterB);
    expect(indexFiles(dir, '.seg')).toEqual(listedSegments(dir));
  });

  it('two builds at once: neither removes what the other lists, and the next query needs no re-indexing', async () => {
    const dir = tempDir('tt-idx-together-');
    const facts = writeOrderFailures(dir);
    expect(await LogIndex.prepare(openLogSet(dir))).not.toBeNull();
    // A rotated, gzipped file neither query has indexed: each build waits on it between writing its
    // segments and writing its metadata, so the two builds overlap as two processes' would.
    const logs = join(dir, 'logs');
    writeFileSync(join(logs, 'decisions.20251025T000000000Z.jsonl.gz'), gzipSync(readFileSync(join(logs, 'decisions.jsonl'))));
    const setA = openLogSet(dir);
    const later = appendSession(dir, 'session_20251026_150000', '2025-10-26T15:00:00Z');
    const setB = openLogSet(dir);
    const [a, b] = [damageRecorder(), damageRecorder()];
    const [indexA, indexB] = await Promise.all([LogIndex.prepare(setA, { onDamaged: a.onDamaged }), LogIndex.prepare(setB, { onDamaged: b.onDamaged })]);
    expect(a.notes).toEqual([]);
    expect(b.notes).toEqual([]);
    expect([...(indexA?.lookup(facts.filled.decisionId).keys() ?? [])]).toEqual([facts.filled.decisionId]);
    expect([...(indexB?.lookup(later).keys() ?? [])]).toEqual([later]);
    expect(a.notes).toEqual([]);
    expect(b.notes).toEqual([]);
    // Every segment the metadata lists is there: the next query uses the index as it stands.
    const listed = listedSegments(dir);
    expect(listed.filter((name) => !indexFiles(dir, '.seg').includes(name))).toEqual([]);
    const mtimes = new Map(listed.map((name) => [name, statSync(join(dir, 'index', name)).mtimeMs]));
    const c = damageRecorder();
    const next = await LogIndex.prepare(openLogSet(dir), { onDamaged: c.onDamaged });
    expect(c.notes).toEqual([]);
    expect([...(next?.lookup(later).keys() ?? [])]).toEqual([later]);
    expect(listedSegments(dir)).toEqual(listed);
    for (const [name, mtime] of mtimes) expect(statSync(join(dir, 'index', name)).mtimeMs, name).toBe(mtime);
  });

  it('temporary files and unlisted segments are removed once old enough that no live query can own them', async () => {
    const dir = tempDir('tt-idx-leftovers-');
    writeOrderFailures(dir);
    await LogIndex.prepare(openLogSet(dir));
    const base = indexFiles(dir, '.json')[0]?.replace(/\.json$/, '') ?? '';
    const index = join(dir, 'index');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    // Left by a query killed mid-write two hours ago ...
    const leftovers = [`${base}.json.4242.tmp`, `${base}.0-99.seg.4242.tmp`, `${base}.0-99.seg`];
    // ... and being written by a query running now.
    const current = [`${base}.json.4343.tmp`, `${base}.0-98.seg.4343.tmp`, `${base}.0-98.seg`];
    for (const name of [...leftovers, ...current]) writeFileSync(join(index, name), 'x');
    for (const name of leftovers) utimesSync(join(index, name), old, old);
    appendSession(dir, 'session_20251026_150000', '2025-10-26T15:00:00Z');
    await LogIndex.prepare(openLogSet(dir));
    const left = readdirSync(index);
    for (const name of leftovers) expect(left, name).not.toContain(name);
    for (const name of current) expect(left, name).toContain(name);
  });
});
