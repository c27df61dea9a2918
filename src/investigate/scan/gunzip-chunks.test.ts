import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { findEvents } from '../query/find-events.js';
import type { LogSet } from '../query/log-set.js';
import { SkippedLines } from '../query/skipped-lines.js';
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

  it('that cannot be read reject with a LogReadError naming the file, instead of an uncaught stream error', async () => {
    const unreadable = join(dir, 'system.20251026T000000000Z.jsonl.gz');
    mkdirSync(unreadable);
    await expect(drain(unreadable)).rejects.toMatchObject({ code: 'log_unreadable', path: unreadable, errno: 'EISDIR' });
    // The scan a query runs over a rotated file, listed before it became unreadable.
    const set: LogSet = { dataDir: dir, logsDir: dir, files: [{ channel: 'system', path: unreadable, gzipped: true, current: false }], sizes: new Map([[unreadable, 0]]) };
    await expect(findEvents(set, ['"event_type":"LOG"'], { skipped: new SkippedLines() })).rejects.toMatchObject({ code: 'log_unreadable', path: unreadable });
  });

  it('that are not gzip data say so', async () => {
    const corrupt = join(dir, 'audit.20251026T000000000Z.jsonl.gz');
    writeFileSync(corrupt, 'plain text, not gzip\n');
    await expect(drain(corrupt)).rejects.toThrow(`cannot read ${corrupt}: not valid gzip data`);
  });
});
