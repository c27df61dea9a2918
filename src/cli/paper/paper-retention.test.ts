import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;
const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace('.', '');

describe('a paper session with recorder.keep_rotated_for', () => {
  it('deletes the rotated files older than that at its start (never audit, a recent one or the newest of a channel) and logs which', async () => {
    const dataDir = join(tempDir('tt-paper-retention-'), 'data');
    const logs = join(dataDir, 'logs');
    mkdirSync(logs, { recursive: true });
    const now = Date.now();
    const old = [`decisions.${stamp(now - 40 * DAY)}.jsonl.gz`, `orders.${stamp(now - 35 * DAY)}.jsonl`];
    // Each channel's newest rotated file stays whatever its age (a restart reads it); audit always stays.
    const kept = [`decisions.${stamp(now - 3 * DAY)}.jsonl.gz`, `orders.${stamp(now - 31 * DAY)}.jsonl.gz`, `audit.${stamp(now - 90 * DAY)}.jsonl`];
    for (const name of [...old, ...kept]) writeFileSync(join(logs, name), '');
    const run = await runCli(
      ['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '2s', '--data-dir', dataDir, '--set', 'recorder.keep_rotated_for=30d'],
      { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 90_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const names = readdirSync(logs);
    for (const name of old) expect(names).not.toContain(name);
    for (const name of kept) expect(names).toContain(name);
    const notes = readFileSync(join(logs, 'system.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('deleted 2 rotated log files'))
      .map((l) => JSON.parse(l) as { level: string; component: string; data: { deleted: string[] } });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: 'info', component: 'recorder' });
    expect([...(notes[0]?.data.deleted ?? [])].sort()).toEqual([...old].sort());
  }, 120_000);
});
