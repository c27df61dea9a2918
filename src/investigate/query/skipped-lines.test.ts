import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { LogFile } from '../../recorder/log-files.js';
import { lineNumbersAt, MISSHAPEN_KEPT, NOT_A_LOG_LINE, SkippedLines } from './skipped-lines.js';

function logFile(name: string, data: Buffer, gzipped = false): LogFile {
  const path = join(tempDir('tt-skipped-'), name);
  writeFileSync(path, gzipped ? gzipSync(data) : data);
  return { channel: 'decisions', path, gzipped, current: !gzipped };
}

describe('SkippedLines', () => {
  it('reports every skipped line in one summary line, a line met twice counted once', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? `garbage ${i}` : `{"ts":"${i}"}`));
    const text = `${lines.join('\n')}\n`;
    const file = logFile('decisions.jsonl', Buffer.from(text));
    const starts: number[] = [];
    let at = 0;
    for (const l of lines) {
      if (l.startsWith('garbage')) starts.push(at);
      at += l.length + 1;
    }
    const skipped = new SkippedLines();
    // Added out of order, and once more as a candidate whose parse problem is kept over "not a log line".
    for (const offset of [...starts].reverse()) skipped.addMisshapen(file, offset);
    skipped.add({ file, offset: starts[0] ?? 0, code: 'not_json', message: 'line is not JSON', excerpt: 'garbage 0' });
    skipped.addMisshapen(file, starts[0] ?? 0);
    expect(skipped.count).toBe(667);
    expect(skipped.withCode('not_json')).toHaveLength(1);
    expect(await skipped.report()).toBe('skipped 667 unreadable lines in decisions.jsonl (lines 1, 4, …)\n');
    expect(await new SkippedLines().report()).toBe('');
  });

  it('keeps a bounded number of garbage lines per file in detail and counts the rest', async () => {
    const lines = Array.from({ length: MISSHAPEN_KEPT + 5_000 }, (_, i) => `garbage ${i}`);
    const text = `${lines.join('\n')}\n`;
    const file = logFile('decisions.jsonl', Buffer.from(text));
    const skipped = new SkippedLines();
    let offset = 0;
    // Reported twice, as a query that scans a file in two passes does: each line counts once.
    for (let pass = 0; pass < 2; pass++) {
      offset = 0;
      for (const line of lines) {
        skipped.addMisshapen(file, offset);
        offset += line.length + 1;
      }
    }
    expect(skipped.count).toBe(lines.length);
    expect(skipped.withCode(NOT_A_LOG_LINE)).toHaveLength(MISSHAPEN_KEPT);
    expect(await skipped.report()).toBe(`skipped ${lines.length} unreadable lines in decisions.jsonl (lines 1, 2, …)\n`);
  });

  it('counts line numbers in one pass, in plain and gzipped files', async () => {
    // Over 1 MB: more than one read of a plain file, many chunks of a gzipped one.
    const text = Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 300)}`).join('\n');
    const offsets = [0, 17, 2048, 70_000, 1_048_576, 1_200_000, Buffer.byteLength(text) - 3];
    const expected = offsets.map((o) => text.slice(0, o).split('\n').length);
    for (const gzipped of [false, true]) {
      expect(await lineNumbersAt(logFile(gzipped ? 'd.jsonl.gz' : 'd.jsonl', Buffer.from(text), gzipped), offsets)).toEqual(expected);
    }
  });
});
