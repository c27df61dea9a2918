import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { listLogFiles } from '../recorder/log-files.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// gzip writes the .gz before it removes the file it compresses (and `gzip -k` keeps both): every
// query run meanwhile counted that file's lines twice (a decision traced with each line doubled,
// why's totals up by the file's decisions).
describe('a rotated log and its gzipped copy side by side are read once', () => {
  const dir = tempDir('tt-gzip-copy-');
  const logs = join(dir, 'logs');
  const writer = new SessionWriter({ dataDir: dir, sessionId: 'session_20251029_080000', start: new Date('2025-10-29T08:00:00.000Z'), config: BASE_CONFIG });
  const bought = writer.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  writer.tick(60_000).blocked('BTC/USDT', 'already_in_position', true, false, 'already holds BTC/USDT');
  writer.tick(1000).end('signal', 0);
  const rotated = join(logs, 'decisions.20251029T090000000Z.jsonl');
  renameSync(join(logs, 'decisions.jsonl'), rotated);
  writeFileSync(`${rotated}.gz`, gzipSync(readFileSync(rotated)));

  it('lists the plain file only', () => {
    expect(listLogFiles(logs, ['decisions']).map((f) => f.path)).toEqual([rotated]);
  });

  it('why counts each decision once and trace shows each line once', async () => {
    const why = await runQuery(['why', '--json', '--data-dir', dir]);
    expect(why.code, why.stderr).toBe(0);
    expect((JSON.parse(why.stdout) as { decisions: number }).decisions).toBe(2);
    const trace = await runQuery(['trace', bought.decisionId, '--json', '--data-dir', dir]);
    const lines = trace.stdout.trim().split('\n');
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.filter((l) => l.includes('"event_type":"DECISION_START"'))).toHaveLength(1);
  });
});
