import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { exited } from '../fixtures/processes.js';
import { LogTailer } from './log-tailer.js';

// The bot gzips each file it rotates: a rotated file read as plain, then replaced by its .gz, must
// not be read again as new lines (each alert would fire twice).
describe('LogTailer across rotations whose files are then gzipped', () => {
  it('delivers every line exactly once while another process rotates and gzips the files', async () => {
    const logs = join(tempDir('tradetrace-tail-gz-'), 'logs');
    const count = 20_000;
    const tailer = new LogTailer(logs, ['system']);
    const writer = resolve(import.meta.dirname, 'fixtures/rotating-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, logs, String(count), '20000', 'gzip'], { cwd: resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = exited(child);
    let done = false;
    void exit.then(() => (done = true));
    const seen: number[] = [];
    const take = (): void => {
      for (const o of tailer.poll()) seen.push(Number(String((o.line as { message?: string }).message).slice(5)));
    };
    while (!done) {
      take();
      await new Promise((r) => setTimeout(r, Math.random() * 3));
    }
    take();
    // Compressions finish after the last line: later polls must find nothing new in the .gz files.
    await new Promise((r) => setTimeout(r, 300));
    take();
    tailer.close();
    expect(await exit, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(readdirSync(logs).filter((n) => n.endsWith('.jsonl.gz')).length).toBeGreaterThan(20);
    const counts = new Map<number, number>();
    for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    expect({ missing: expected.filter((n) => !counts.has(n)).slice(0, 5), duplicated: [...counts].filter(([, c]) => c > 1).map(([n]) => n).slice(0, 5) }).toEqual({ missing: [], duplicated: [] });
    expect(seen).toEqual(expected);
  }, 30_000);
});
