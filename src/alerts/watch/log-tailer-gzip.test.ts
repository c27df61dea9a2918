import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { tailRotatingWriter } from './fixtures/tail-rotating-writer.js';

// The bot gzips each file it rotates: a rotated file read as plain, then replaced by its .gz, must
// not be read again as new lines (each alert would fire twice).
describe('LogTailer across rotations whose files are then gzipped', () => {
  it('delivers every line exactly once while another process rotates and gzips the files', async () => {
    const logs = join(tempDir('tradetrace-tail-gz-'), 'logs');
    const count = 20_000;
    // Compressions finish after the last line: a poll 300 ms later must find nothing new in the .gz files.
    const { seen, exitCode, stderr } = await tailRotatingWriter(logs, count, ['20000', 'gzip'], 300);
    expect(exitCode, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(readdirSync(logs).filter((n) => n.endsWith('.jsonl.gz')).length).toBeGreaterThan(20);
    const counts = new Map<number, number>();
    for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    expect({ missing: expected.filter((n) => !counts.has(n)).slice(0, 5), duplicated: [...counts].filter(([, c]) => c > 1).map(([n]) => n).slice(0, 5) }).toEqual({ missing: [], duplicated: [] });
    expect(seen).toEqual(expected);
  }, 90_000);
});
