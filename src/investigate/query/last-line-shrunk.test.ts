import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { regionsBackwards } from '../../recorder/lines-backwards.js';
import { tornTail } from './last-line.js';

// A query measures every log file when it begins; a bot that rotates meanwhile leaves a new, short
// file at the path. Reading it with the old size used to report the unfilled rest of the read buffer
// as a torn last line ("\u0000\u0000..." in health) or as lines.
describe('a log file that is shorter than when the query measured it (rotated since)', () => {
  const dir = tempDir('tt-last-line-shrunk-');
  const path = join(dir, 'decisions.jsonl');
  writeFileSync(path, '{"ts":"2026-11-28T05:00:00.000Z","event_type":"LOG"}\n');
  const measured = 64 * 1024;

  it('has no torn tail', () => {
    expect(tornTail({ channel: 'decisions', path, gzipped: false, current: true }, measured)).toBeNull();
  });

  it('yields no region of bytes the file does not hold', () => {
    const regions = [...regionsBackwards(path, { size: measured })];
    expect(regions.map((r) => r.data.toString('utf8'))).toEqual([]);
  });

  it('at its true size, still reads its lines and finds no torn tail', () => {
    const size = Buffer.byteLength('{"ts":"2026-11-28T05:00:00.000Z","event_type":"LOG"}\n');
    expect(tornTail({ channel: 'decisions', path, gzipped: false, current: true }, size)).toBeNull();
    expect([...regionsBackwards(path, { size })].map((r) => r.data.toString('utf8'))).toEqual(['{"ts":"2026-11-28T05:00:00.000Z","event_type":"LOG"}\n']);
  });
});
