import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import type * as SessionSummary from '../../engine/session-summary.js';

// The one fault this test needs, in either step of the report: the summary's data, or its text (the soak met a DecimalError there).
const fault: { step: 'data' | 'format' } = vi.hoisted(() => ({ step: 'format' }));
vi.mock('../../engine/session-summary.js', async (importOriginal) => {
  const original = await importOriginal<typeof SessionSummary>();
  const boom = (): never => {
    throw new Error('[DecimalError] Invalid argument: undefined');
  };
  return {
    ...original,
    paperSummary: (...args: Parameters<typeof original.paperSummary>) => (fault.step === 'data' ? boom() : original.paperSummary(...args)),
    formatPaperSummary: (...args: Parameters<typeof original.formatPaperSummary>) => (fault.step === 'format' ? boom() : original.formatPaperSummary(...args)),
  };
});

describe('a summary that cannot be made after the session ended', () => {
  for (const step of ['data', 'format'] as const) {
    it(`(its ${step}) exits with the code the record gives, keeps SESSION_END, and says on stderr what failed`, async () => {
      fault.step = step;
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
  }
});
