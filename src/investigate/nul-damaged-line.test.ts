import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeOrderFailures } from './testing/incidents.js';

// A line whose damage falls on the very text a query searches for ("ORDER_FI\0LED") keeps its
// shape and lacks the needle: the scans never parsed it, and orders counted one fill fewer in silence.
describe('a line damaged by NUL bytes inside it', () => {
  const dataDir = tempDir('tt-nul-line-');
  const facts = writeOrderFailures(dataDir);
  const path = join(dataDir, 'logs', 'orders.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('"event_type":"ORDER_FILLED"') && l.includes(facts.filled.intentId));
  lines[at] = (lines[at] ?? '').replace('ORDER_FILLED', 'ORDER_FI\0LED');
  writeFileSync(path, lines.join('\n'));
  const note = `skipped 1 unreadable line in orders.jsonl (line ${at + 1})`;

  it('is reported as unreadable by the commands that read the file, not passed over', async () => {
    const orders = await runQuery(['orders', '--data-dir', dataDir]);
    expect(orders.stderr).toContain(note);
    const sessions = await runQuery(['sessions', '--data-dir', dataDir]);
    expect(sessions.stderr).toContain(note);
  });

  it('by trace alike with its index and without (the index builder applies the same test as the scans)', async () => {
    const scanned = await runQuery(['trace', facts.filled.decisionId, '--no-index', '--data-dir', dataDir]);
    expect(scanned.stderr).toContain(note);
    await runQuery(['trace', facts.filled.decisionId, '--data-dir', dataDir]);
    const indexed = await runQuery(['trace', facts.filled.decisionId, '--data-dir', dataDir]);
    expect(indexed.stderr).toContain(note);
  });
});
