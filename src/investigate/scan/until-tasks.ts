import { scanFileRange } from './needle-scan.js';
import type { TaskResult } from './scan-protocol.js';
import type { UntilRequest } from './until-protocol.js';

/** Bytes scanned between two checks of the stop condition: small enough to stop soon after it. */
export const STEP_BYTES = 8 * 1024 * 1024;

/**
 * Scans the tasks in order, a step at a time, keeping the lines containing `needle`; ends after the
 * step whose hits include `stop`, or before the next step once `halt()` says another thread has
 * made the rest of this scan pointless. Shared by the calling thread and the worker.
 */
export function runUntilTasks(request: Omit<UntilRequest, 'flag'>, halt: () => boolean): { results: TaskResult[]; stopped: boolean; bytes: number } {
  const needles = [Buffer.from(request.needle, 'utf8')];
  const step = request.stepBytes ?? STEP_BYTES;
  const results: TaskResult[] = [];
  let stopped = false;
  let bytes = 0;
  for (const [i, task] of request.tasks.entries()) {
    const offsets: number[] = [];
    const texts: string[] = [];
    const misshapen: number[] = [];
    let torn: TaskResult['torn'] = null;
    for (let start = task.start; start < task.end && !stopped && !halt(); start += step) {
      const end = Math.min(task.end, start + step);
      scanFileRange(task.path, start, end, task.fileSize, needles, {
        hit(offset, text) {
          offsets.push(offset);
          texts.push(text);
          if (text.includes(request.stop)) stopped = true;
        },
        torn(offset, text) {
          torn = { offset, text };
        },
        misshapen(offset) {
          misshapen.push(offset);
        },
      });
      bytes += end - start;
    }
    results.push({ task: i, offsets, text: texts.join('\n'), torn, misshapen });
    if (stopped || halt()) break;
  }
  return { results, stopped, bytes };
}
