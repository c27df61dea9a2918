import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { logBytes } from './log-bytes.js';

describe('logBytes of a .gz', () => {
  it('hands its bytes on in 256 KB chunks, not zlib\'s default 16 KB (half the time to unzip a rotated log), every byte once', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"event_type":"DECISION_START","seq":${i},"bar_ts":"2022-01-01T00:00:00.000Z"}\n`).join('');
    const path = join(tempDir('tt-log-bytes-'), 'decisions.20220101T000000000Z.jsonl.gz');
    writeFileSync(path, gzipSync(lines));
    const sizes: number[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of logBytes({ path, gzipped: true }) as AsyncIterable<Buffer>) {
      sizes.push(chunk.length);
      chunks.push(chunk);
    }
    expect(Buffer.concat(chunks).toString('utf8')).toBe(lines);
    expect(Math.max(...sizes)).toBe(256 * 1024);
  });
});
