import { CURSOR_FILE } from './replay-cursor.js';
import type { ResumePlan } from './resume-plan.js';
import type { StartWarning } from './startup-warnings.js';

/**
 * The start warning for a data directory whose paper-cursor.json is gone while its logs or its
 * store say bars were decided: the restart resumed from the decision log instead (see planResume),
 * and the operator should know the file is missing and where each symbol picks up. Undefined
 * when the cursor was there, or nothing was ever decided (a first session).
 */
export function missingCursorWarning(plan: ResumePlan, dataDir: string, intervalMs: number): StartWarning | undefined {
  if (!plan.cursorMissing) return undefined;
  const resumes: Record<string, string> = {};
  const parts: string[] = [];
  for (const [symbol, close] of plan.traded) {
    const barOpen = new Date(close - intervalMs).toISOString();
    resumes[symbol] = barOpen;
    const point = plan.known.get(symbol);
    const source = point === undefined || point.close !== close
      ? 'the latest bar any symbol was decided up to: none of its own is known'
      : point.decidedBy !== undefined
        ? `its last decided bar, by ${point.decidedBy}`
        : "the state store's last booking of it: the decision log holds no decision of it";
    parts.push(`${symbol} after the bar of ${barOpen} (${source})`);
  }
  return {
    code: 'cursor_missing', component: 'startup',
    message: `${CURSOR_FILE} is missing from ${dataDir}, where bars were decided before: resuming from the decision log instead, ${parts.join('; ')}; bars up to there only warm the indicators`,
    data: { cursor_file: CURSOR_FILE, data_dir: dataDir, resumes_after_bar: resumes },
  };
}
