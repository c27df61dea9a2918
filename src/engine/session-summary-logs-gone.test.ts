import { describe, expect, it } from 'vitest';
import { quietSummary } from './__fixtures__/quiet-summary.js';
import { formatPaperSummary, type PaperSummary } from './session-summary.js';

function summaryWithLogFiles(logFiles: readonly string[], traceDecision: string | undefined, decisions: number): PaperSummary {
  return quietSummary(decisions, { traceDecision, logFiles, result: { reason: 'error', exitCode: 1 }, quote: 'USD', replay: true });
}

describe('the summary of a session whose logs directory was removed while it ran', () => {
  for (const [traceDecision, decisions] of [['dec_20220104_164100_f00e25', 5706], [undefined, 5706], [undefined, 0]] as const) {
    it(`says no log files are left and offers no trace command (${traceDecision ?? `no traced decision, ${decisions} decisions`})`, () => {
      const text = formatPaperSummary('session_20261128_150210', summaryWithLogFiles([], traceDecision, decisions), '/tmp/h4/c');
      // It printed an empty `logs` line, then `tradetrace trace dec_... --data-dir ...`, which exits 3: no log files.
      expect(text).toContain('  logs         none left: /tmp/h4/c/logs was removed while the session ran, so no trace command can read this session\n');
      expect(text).not.toContain('tradetrace trace');
      expect(text).not.toContain('decisions.jsonl');
      expect(text.endsWith('this session\n')).toBe(true);
    });
  }

  it('still lists the files and the trace command when they are there', () => {
    const text = formatPaperSummary('session_20261128_150210', summaryWithLogFiles(['/tmp/h4/c/logs/decisions.jsonl'], 'dec_20220104_164100_f00e25', 5706), '/tmp/h4/c');
    expect(text).toContain('  logs         /tmp/h4/c/logs/decisions.jsonl\n');
    expect(text).toContain('  tradetrace trace dec_20220104_164100_f00e25 --data-dir /tmp/h4/c\n');
  });
});
