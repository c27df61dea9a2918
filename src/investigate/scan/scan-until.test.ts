import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { LogFile } from '../../recorder/log-files.js';
import { scanUntil } from './scan-until.js';

/** Two orders files; the decision's lines every 50th line, its SELL_FILLED at line `soldAt` (if any). */
function writeOrders(lines: number, soldAt: number | null): { inputs: { file: LogFile; size: number; from: number }[]; expected: string[] } {
  const dir = tempDir('tt-until-');
  const all: string[] = [];
  for (let i = 0; i < lines; i++) {
    const mine = i % 50 === 0 || i === soldAt;
    const type = i === soldAt ? 'SELL_FILLED' : mine ? 'ORDER_CONTEXT' : 'ORDER_SUBMITTED';
    all.push(`{"ts":"2025-10-26T00:00:00.000Z","event_type":"${type}","seq":${i},"decision_id":"${mine ? 'dec_a' : 'dec_b'}","pad":"${'p'.repeat(i % 40)}"}`);
  }
  const half = Math.floor(lines / 2);
  const inputs = [all.slice(0, half), all.slice(half)].map((part, k) => {
    const path = join(dir, k === 0 ? 'orders.20251026T000000000Z.jsonl' : 'orders.jsonl');
    const text = `${part.join('\n')}\n`;
    writeFileSync(path, text);
    return { file: { channel: 'orders' as const, path, gzipped: false, current: k === 1 }, size: Buffer.byteLength(text), from: 0 };
  });
  const stopIndex = soldAt ?? lines;
  return { inputs, expected: all.filter((l, i) => i <= stopIndex && l.includes('"decision_id":"dec_a"')) };
}

describe('scanUntil', () => {
  it('returns the lines up to the stop line, wherever it is, on one thread or two', async () => {
    for (const soldAt of [10, 1234, 2999, 3001, 5999, null]) {
      const { inputs, expected } = writeOrders(6000, soldAt);
      for (const parallelism of [1, 2]) {
        const outcome = await scanUntil(inputs, '"decision_id":"dec_a"', '"event_type":"SELL_FILLED"', { parallelism, parallelMinBytes: 0, stepBytes: 4096 });
        const label = `sold at ${soldAt}, ${parallelism} thread(s)`;
        expect(outcome.stopped, label).toBe(soldAt !== null);
        // A step ends after the stop line's step: lines past the stop may come too, never fewer.
        const texts = outcome.lines.map((l) => l.text);
        expect(texts.slice(0, expected.length), label).toEqual(expected);
        expect(texts.slice(expected.length).every((t) => !t.includes('SELL_FILLED')), label).toBe(true);
      }
    }
  });

  it('stops reading soon after the stop line', async () => {
    const { inputs } = writeOrders(20000, 100);
    const total = inputs.reduce((s, i) => s + i.size, 0);
    const outcome = await scanUntil(inputs, '"decision_id":"dec_a"', '"event_type":"SELL_FILLED"', { parallelism: 1, stepBytes: 8192 });
    expect(outcome.stopped).toBe(true);
    expect(outcome.bytes).toBeLessThan(total / 10);
  });
});
