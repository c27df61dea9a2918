import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ThrottledReport } from './throttled-report.js';

describe('ThrottledReport', () => {
  it('prints one line for a burst, then at most one per interval, and the rest on flush', async () => {
    const written: string[] = [];
    let pending = 0;
    const report = new ThrottledReport((text) => written.push(text), () => {
      const text = pending > 0 ? `skipped ${pending}` : '';
      pending = 0;
      return text;
    }, 200);
    for (let i = 0; i < 1148; i++) {
      pending++;
      report.note();
    }
    await sleep(20);
    expect(written).toEqual(['skipped 1148\n']);
    pending++;
    report.note();
    await sleep(20);
    // Within the interval: held back, not one line per skipped line.
    expect(written).toHaveLength(1);
    await report.flush();
    expect(written).toEqual(['skipped 1148\n', 'skipped 1\n']);
    await report.flush();
    expect(written).toHaveLength(2);
  });
});
