import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { generateLog } from './testing/bulk-log.js';

/** `tradetrace <command> | head -1`: the reader closes the pipe after its first line. */
function firstLineThenClose(args: readonly string[]): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args);
    let stderr = '';
    let first = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.once('data', (chunk: Buffer) => {
      first = chunk.toString().split('\n')[0] ?? '';
      child.stdout?.destroy();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr, first }));
  });
}

describe('output into a pipe that closes early', () => {
  it('stops writing quietly (no EPIPE crash) and exits with the query result', async () => {
    const log = generateLog(tempDir('tt-pipe-'), 3 * 1024 * 1024);
    for (const args of [['orders', '--json'], ['trace', log.middle, '--json', '--no-index'], ['why']]) {
      const r = await firstLineThenClose([...args, '--data-dir', log.dataDir]);
      expect(r.first.length, args.join(' ')).toBeGreaterThan(0);
      expect(r.stderr, args.join(' ')).not.toMatch(/EPIPE|Error/);
      expect(r.code, args.join(' ')).toBe(0);
    }
  }, 60_000);
});
