import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { findEvents } from '../query/find-events.js';
import type { LogSet } from '../query/log-set.js';
import { SkippedLines } from '../query/skipped-lines.js';
import { forgetUnreadableFiles, unreadableFile } from '../query/unreadable-files.js';
import { gunzipChunks } from './gunzip-chunks.js';

async function drain(path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of gunzipChunks(path)) bytes += chunk.length;
  return bytes;
}

describe('gzipped log files', () => {
  const dir = tempDir('tt-gunzip-');

  it('decompress whole', async () => {
    const path = join(dir, 'decisions.20251026T000000000Z.jsonl.gz');
    writeFileSync(path, gzipSync(Buffer.from('{"ts":"x"}\n'.repeat(1000))));
    expect(await drain(path)).toBe(11_000);
  });

  it('that cannot be read end empty, noted as unreadable, instead of an uncaught stream error or a failed query', async () => {
    forgetUnreadableFiles();
    const unreadable = join(dir, 'system.20251026T000000000Z.jsonl.gz');
    mkdirSync(unreadable);
    expect(await drain(unreadable)).toBe(0);
    expect(unreadableFile(unreadable)).toMatchObject({ path: unreadable, errno: 'EISDIR', readBytes: 0 });
    // The scan a query runs over a rotated file, listed before it became unreadable.
    const set: LogSet = { dataDir: dir, logsDir: dir, files: [{ channel: 'system', path: unreadable, gzipped: true, current: false }], sizes: new Map([[unreadable, 0]]) };
    const skipped = new SkippedLines();
    await expect(findEvents(set, ['"event_type":"LOG"'], { skipped })).resolves.toEqual([]);
    expect(await skipped.report()).toBe(`could not read ${unreadable}: is a directory, not a file (EISDIR); skipped the file\n`);
  });

  it('that are not gzip data say so', async () => {
    forgetUnreadableFiles();
    const corrupt = join(dir, 'audit.20251026T000000000Z.jsonl.gz');
    writeFileSync(corrupt, 'plain text, not gzip\n');
    expect(await drain(corrupt)).toBe(0);
    expect(unreadableFile(corrupt)).toMatchObject({ errno: 'Z_DATA_ERROR', reason: 'not valid gzip data' });
  });

  it('cut short give the bytes before the cut, as zcat does, and are noted with how far they were read', async () => {
    forgetUnreadableFiles();
    const path = join(dir, 'orders.20251026T000000000Z.jsonl.gz');
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"ts":"2025-10-26T00:00:00.000Z","n":${i},"pad":"${(i * 7919).toString(36)}"}\n`).join('');
    const whole = gzipSync(Buffer.from(lines));
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const bytes = await drain(path);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(lines.length);
    expect(unreadableFile(path)).toMatchObject({ errno: 'Z_BUF_ERROR', reason: 'gzip data ends early', readBytes: bytes });
    const before = lines.slice(0, bytes).split('\n').length - 1;
    expect(await new SkippedLines().report()).toBe(`could not read ${path} past its first ${before} lines: gzip data ends early (Z_BUF_ERROR); skipped the rest of it\n`);
  });
});
