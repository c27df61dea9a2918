import { rmSync, writeFileSync } from 'node:fs';
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

function collect(run: (sink: { hit(o: number, t: string): void; torn(o: number, t: string): void; misshapen(o: number): void }) => void) {
  const hits: [number, string][] = [];
  const torn: [number, string][] = [];
  const misshapen: number[] = [];
  run({ hit: (o, t) => hits.push([o, t]), torn: (o, t) => torn.push([o, t]), misshapen: (o) => misshapen.push(o) });
  return { hits, torn, misshapen };
}

/** Line starts of the lines that are not `{"ts":"...}` (what every reader counts as skipped). */
function misshapenStarts(text: string): number[] {
  const out: number[] = [];
  let at = 0;
  for (const l of text.split('\n').slice(0, -1)) {
    if (l.length > 0 && !(l.startsWith('{"ts":"') && l.endsWith('}'))) out.push(at);
    at += Buffer.byteLength(l) + 1;
  }
  return out;
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

  it('reports every misshapen line exactly once, matching or not, wherever the byte ranges are cut', () => {
    const { file, text } = writeLog(300, '{"ts":"torn');
    const garbled = text.split('\n');
    for (const i of [0, 5, 7, 150, 299]) garbled[i] = i === 7 ? `${garbled[i]?.slice(0, 60) ?? ''}` : `garbage ${i} "decision_id":"dec_x"`;
    writeFileSync(file.path, garbled.join('\n'));
    const garbledText = garbled.join('\n');
    const total = Buffer.byteLength(garbledText);
    const expected = misshapenStarts(garbledText);
    expect(expected).toHaveLength(5);
    const needle = [Buffer.from('"decision_id":"dec_x"')];
    for (let cut = 1; cut < total; cut += 89) {
      const a = collect((sink) => scanFileRange(file.path, 0, cut, total, needle, sink));
      const b = collect((sink) => scanFileRange(file.path, cut, total, total, needle, sink));
      expect([...a.misshapen, ...b.misshapen]).toEqual(expected);
    }
    const stream = collect((sink) => {
      const m = new StreamMatcher(needle, sink);
      const data = Buffer.from(garbledText);
      for (let i = 0; i < data.length; i += 333) m.push(data.subarray(i, i + 333));
      m.end();
    });
    expect(stream.misshapen).toEqual(expected);
  });

  it('a worker that cannot read its file fails the scan with a LogReadError naming it', async () => {
    const gone = writeLog(2000);
    const kept = writeLog(2000);
    rmSync(gone.file.path);
    // The first group goes to a worker, the last is scanned on this thread: only the worker meets the missing file.
    const scan = scanFiles([{ file: gone.file, size: gone.size, from: 0 }, { file: kept.file, size: kept.size, from: 0 }], ['"decision_id":"dec_x"'], { parallelism: 2, parallelMinBytes: 1 });
    await expect(scan).rejects.toMatchObject({ code: 'log_unreadable', path: gone.file.path, errno: 'ENOENT' });
  });

  it('splits work into balanced groups and finds the same lines on two threads as on one', async () => {
    const { file, text } = writeLog(2000);
    // A garbage first line: in the part a worker scans, so its report crosses threads.
    writeFileSync(file.path, `garbage\n${text}`);
    const size = Buffer.byteLength(text) + 'garbage\n'.length;
    const groups = splitTasks([{ file, size, from: 0 }], 2);
    expect(groups).toHaveLength(2);
    expect(groups.flat().reduce((n, t) => n + t.end - t.start, 0)).toBe(size);
    const one = await scanFiles([{ file, size, from: 0 }], ['"decision_id":"dec_x"'], { parallelism: 1 });
    const two = await scanFiles([{ file, size, from: 0 }], ['"decision_id":"dec_x"'], { parallelism: 2, parallelMinBytes: 1 });
    expect(two.lines.map((l) => l.offset).sort((a, b) => a - b)).toEqual(one.lines.map((l) => l.offset));
    expect(two.misshapen.map((m) => m.offset)).toEqual([0]);
    expect(one.misshapen).toEqual(two.misshapen);
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
