import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = join(import.meta.dirname, '..', '__fixtures__', 'leave-now-child.ts');

describe('leaveNow', () => {
  it('ends a process that a pending timer would keep alive, with its code and all its output through a pipe', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    // The timer would hold it 60 s; tsx's own start takes a few seconds on a loaded machine.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(stdout.endsWith('the end\n')).toBe(true);
    expect(stdout.split('\n')).toHaveLength(2002);
    expect(stderr).toBe('cut short\n');
  }, 60_000);
});
