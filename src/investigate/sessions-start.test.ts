import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// The bot stamps its start (manifest.json's start, the instant SESSION_END's duration_ms is measured
// from) before it writes SESSION_START, 14-80 ms later. sessions showed the SESSION_START line's ts
// without --since and the manifest's with a --since that left that line out: two starts for one
// session, and only the manifest's plus duration_ms gives the end.

describe('sessions: one start, with or without --since', () => {
  const dir = tempDir('tt-sessions-start-');
  const sessionId = 'session_20251029_110335';
  const s = new SessionWriter({ dataDir: dir, sessionId, start: new Date('2025-10-29T11:03:35.540Z'), config: BASE_CONFIG });
  for (let i = 0; i < 10; i++) s.tick(1000).noSignal('BTC/USDT', '45000');
  s.tick(1000).end('signal', 0);
  // As the bot writes it: started 76 ms before its SESSION_START line, and duration_ms from then.
  const manifestPath = join(dir, 'sessions', sessionId, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, start: '2025-10-29T11:03:35.464Z' }));

  it('is the manifest start, which end minus duration gives', async () => {
    const plain = await runQuery(['sessions', '--data-dir', dir]);
    const windowed = await runQuery(['sessions', '--since', '2025-10-29T11:03:40Z', '--data-dir', dir]);
    for (const r of [plain, windowed]) expect(r.stdout).toContain(`${sessionId}  paper  2025-10-29 11:03:35.464Z -> `);
    const [row] = (await runQuery(['sessions', '--json', '--data-dir', dir])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { start: string; end: string; durationMs: number });
    expect(row?.start).toBe('2025-10-29T11:03:35.464Z');
    const health = await runQuery(['health', '--data-dir', dir]);
    expect(health.stdout).toContain('started 2025-10-29 11:03:35.464Z');
  });
});
