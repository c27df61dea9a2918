import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { LogFile } from '../../recorder/log-files.js';
import { scanFileRange, StreamMatcher } from './needle-scan.js';
import { scanFiles, splitTasks } from './parallel-scan.js';
import { offsetBefore, offsetFrom } from './time-seek.js';

function line(i: number): string {
  const ts = new Date(Date.UTC(2025, 9, 26, 0, 0, i)).toISOString();
  return `{"ts":"${ts}","level":"info","event_type":"LOG","session_id":"s","seq":${i}${i % 7 === 0 ? ',"decision_id":"dec_x"' : ''},"message":"${'x'.repeat(i % 50)}"}`;
}

function writeLog(lines: number, tail = ''): { file: LogFile; size: number; text: string } {
  const path = join(tempDir('tt-scan-'), 'decisions.jsonl');
  const text = `${Array.from({ length: lines }, (_, i) => line(i)).join('\n')}\n${tail}`;
  writeFileSync(path, text);
  return { file: { channel: 'decisions', path, gzipped: false, current: true }, size: Buffer.byteLength(text), text };
}

function collect(run: (sink: { hit(o: number, t: string): void; torn(o: number, t: string): void }) => void) {
  const hits: [number, string][] = [];
  const torn: [number, string][] = [];
  run({ hit: (o, t) => hits.push([o, t]), torn: (o, t) => torn.push([o, t]) });
  return { hits, torn };
}

describe('needle scan', () => {
  it('every matching line is found exactly once, wherever the byte ranges are cut', () => {
    const { file, size, text } = writeLog(300, '{"ts":"torn');
    const expected = text.split('\n').filter((l) => l.includes('"decision_id":"dec_x"'));
    const needle = [Buffer.from('"decision_id":"dec_x"')];
    for (let cut = 1; cut < size; cut += 97) {
      const a = collect((sink) => scanFileRange(file.path, 0, cut, size, needle, sink));
      const b = collect((sink) => scanFileRange(file.path, cut, size, size, needle, sink));
      expect([...a.hits, ...b.hits].map(([, t]) => t)).toEqual(expected);
      expect([...a.torn, ...b.torn]).toEqual([[size - 11, '{"ts":"torn']]);
      for (const [offset, t] of [...a.hits, ...b.hits]) expect(text.slice(offset, offset + t.length)).toBe(t);
    }
  });

  it('splits work into balanced groups and finds the same lines on two threads as on one', async () => {
    const { file, size } = writeLog(2000);
    const groups = splitTasks([{ file, size, from: 0 }], 2);
    expect(groups).toHaveLength(2);
    expect(groups.flat().reduce((n, t) => n + t.end - t.start, 0)).toBe(size);
    const one = await scanFiles([{ file, size, from: 0 }], ['"decision_id":"dec_x"'], { parallelism: 1 });
    const two = await scanFiles([{ file, size, from: 0 }], ['"decision_id":"dec_x"'], { parallelism: 2, parallelMinBytes: 1 });
    expect(two.lines.map((l) => l.offset).sort((a, b) => a - b)).toEqual(one.lines.map((l) => l.offset));
    expect(one.lines).toHaveLength(Math.ceil(2000 / 7));
  });

  it('streams (gzip) match like files, across chunk boundaries', () => {
    const { text } = writeLog(200, '{"partial');
    const found = collect((sink) => {
      const m = new StreamMatcher([Buffer.from('dec_x')], sink);
      const data = Buffer.from(text);
      for (let i = 0; i < data.length; i += 333) m.push(data.subarray(i, i + 333));
      m.end();
    });
    expect(found.hits.map(([, t]) => t)).toEqual(text.split('\n').filter((l) => l.includes('dec_x')));
    expect(found.torn.map(([, t]) => t)).toEqual(['{"partial']);
  });

  it('time seek never skips a line at or after the time asked for', () => {
    const { file, size, text } = writeLog(30_000);
    const iso = new Date(Date.UTC(2025, 9, 26, 0, 0, 15_000)).toISOString();
    const before = offsetBefore(file.path, size, iso);
    const after = offsetFrom(file.path, size, iso);
    expect(size).toBeGreaterThan(1024 * 1024);
    expect(before).toBeGreaterThan(0);
    expect(text.slice(before, before + 30)).toMatch(/^\{"ts":"/);
    expect(text.slice(before).indexOf(`"ts":"${iso}"`)).toBeGreaterThan(0);
    expect(text.slice(0, after)).toContain(`"ts":"${iso}"`);
    expect(after).toBeLessThan(size);
  });
});
