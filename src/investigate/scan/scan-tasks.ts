import { scanFileRange } from './needle-scan.js';
import type { ScanRequest, TaskResult } from './scan-protocol.js';

/** Runs scan tasks in this thread; the worker entry and the in-process path share it. */
export function runScanTasks(request: ScanRequest, first = 0): TaskResult[] {
  const needles = request.needles.map((n) => Buffer.from(n, 'utf8'));
  return request.tasks.map((task, i) => {
    const offsets: number[] = [];
    const texts: string[] = [];
    const misshapen: number[] = [];
    let torn: TaskResult['torn'] = null;
    scanFileRange(task.path, task.start, task.end, task.fileSize, needles, {
      hit(offset, text) {
        offsets.push(offset);
        texts.push(text);
      },
      torn(offset, text) {
        torn = { offset, text };
      },
      misshapen(offset) {
        misshapen.push(offset);
      },
    });
    return { task: first + i, offsets, text: texts.join('\n'), torn, misshapen };
  });
}
