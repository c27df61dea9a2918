import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import type * as SessionSummary from '../../engine/session-summary.js';

// The one fault this test needs: the text of the summary cannot be made (the soak met a DecimalError there).
vi.mock('../../engine/session-summary.js', async (importOriginal) => {
  const original = await importOriginal<typeof SessionSummary>();
  return {
    ...original,
    formatPaperSummary: () => {
      throw new Error('[DecimalError] Invalid argument: undefined');
    },
  };
});

describe('a summary that cannot be made after the session ended', () => {
  it('exits with the code the record gives, keeps SESSION_END, and says on stderr what failed', async () => {
    const dataDir = join(tempDir('tt-summary-failure-'), 'data');
    const run = await runQuery(['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '1s', '--data-dir', dataDir], { env: { ENABLE_LIVE_DASHBOARD: 'false' } });
    const end = readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"event_type":"SESSION_END"'))
      .map((l) => JSON.parse(l) as { reason: string; exit_code: number });
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ exit_code: 0 });
    expect(run.code).toBe(end[0]?.exit_code);
    expect(run.stderr).toMatch(/ended \([a-z_]+, exit 0\), but its summary could not be made: \[DecimalError\] Invalid argument: undefined/);
    const health = await runQuery(['health', '--data-dir', dataDir]);
    expect(health.stdout).toContain('ENDED CLEANLY');
  }, 90_000);
});
