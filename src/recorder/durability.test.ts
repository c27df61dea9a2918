import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLogs } from './__fixtures__/read-logs.js';
import { exited, spawnFixture } from './__fixtures__/spawn-ts.js';

/**
 * SIGKILL durability: a child logs at full speed and prints each seq once emit returned. We kill
 * it mid-stream; whatever it acknowledged must be on disk, and every line on disk must parse, but
 * one: Linux stops a write() between pages when a fatal signal arrives (generic_perform_write checks
 * fatal_signal_pending), so the write in flight at the kill may leave a torn LAST line in its file.
 * That line was never acknowledged, readers skip and report it, and nothing before it is harmed.
 */
async function killMidStream(mode: 'durable' | 'buffered', barrierEvery: number, acksWanted: number): Promise<{ acked: number[]; logs: string }> {
  const logs = join(tempDir('tradetrace-kill-'), 'logs');
  const child = spawnFixture('writer-child.ts', [logs, 'session_20250101_000000', 'forever', mode, '0', String(barrierEvery)]);
  const acked: number[] = [];
  let partial = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = exited(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child acknowledged only ${acked.length} lines in 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) acked.push(Number(part));
      if (acked.length >= acksWanted) {
        clearTimeout(timer);
        // Mid-stream: the child is still writing as fast as it can when the signal lands.
        child.kill('SIGKILL');
        resolve();
      }
    });
    void done.then(() => reject(new Error(`child exited before it was killed; stderr: ${stderr}`)));
  });
  expect(await done).toEqual({ code: null, signal: 'SIGKILL' });
  return { acked, logs };
}

describe('durability under SIGKILL', () => {
  it('durable mode: every acknowledged line is on disk and every line on disk parses', async () => {
    const { acked, logs } = await killMidStream('durable', 0, 5_000);
    const read = await readLogs(logs);
    expect(read.bad.filter((b) => !read.tornTails.includes(b))).toEqual([]);
    expect(read.tornTails.length).toBeLessThanOrEqual(1);
    const onDisk = new Set(read.lines.map((l) => l.seq));
    const missing = acked.filter((seq) => !onDisk.has(seq));
    expect(missing).toEqual([]);
    // The child kept writing after its last ack was read: the disk may hold more, never less.
    expect(read.lines.length).toBeGreaterThanOrEqual(acked.length);
    expect(read.lines.every((l) => l.event_type === 'ORDER_CONTEXT' && l.intent_id === 'int_0123456789abcdef')).toBe(true);
  });

  it('buffered mode: the loss window ends at the last barrier, whose line and every line before it are on disk', async () => {
    // One ORDER_CONTEXT (a barrier) every 50 lines; the child acknowledges only barriers.
    const { acked, logs } = await killMidStream('buffered', 50, 200);
    const lastBarrier = Math.max(...acked);
    const read = await readLogs(logs);
    expect(read.bad.filter((b) => !read.tornTails.includes(b))).toEqual([]);
    // One batch write is in flight at the kill: at most one torn last line per file it touched.
    expect(read.tornTails.length).toBeLessThanOrEqual(read.files.length);
    const onDisk = new Set(read.lines.map((l) => l.seq));
    const missingBeforeBarrier = Array.from({ length: lastBarrier }, (_, i) => i + 1).filter((seq) => !onDisk.has(seq));
    expect(missingBeforeBarrier).toEqual([]);
    // What may be lost: only lines after the last flush, and at most the torn tail of the batch in flight.
    expect([...onDisk].every((seq) => Number.isInteger(seq) && seq >= 1)).toBe(true);
  });
});
