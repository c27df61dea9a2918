import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { ShutdownCoordinator } from './shutdown-coordinator.js';

const ROTATED_SYSTEM = /^system\.\d{8}T\d{9}Z(_\d+)?\.jsonl$/;
const SESSION = 'session_20260101_000000';
const noop = (): void => undefined;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * A session whose main thread writes nothing to system.jsonl while it runs: every rotation of that
 * file is the watchdog thread's, from its heartbeats (about 700 bytes each, every 10 ms).
 */
async function withWatchdog(logRotation: { rotateBytes: number; compressAfterMs: number | undefined }, whileRunning: (logs: string) => Promise<void>): Promise<string> {
  const logs = join(tempDir('tradetrace-watchdog-rotation-'), 'logs');
  const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logs) });
  const coordinator = new ShutdownCoordinator({ recorder, logsDir: logs, logRotation, heartbeatIntervalMs: 10, exit: noop });
  coordinator.registerComponent({ name: 'engine', order: 0, stop: noop });
  await coordinator.start();
  try {
    await whileRunning(logs);
  } finally {
    expect(await coordinator.requestShutdown('SIGTERM')).toBe(0);
    recorder.close();
  }
  return logs;
}

const names = (logs: string, pattern: RegExp): string[] => readdirSync(logs).filter((name) => pattern.test(name));

describe('the watchdog thread rotates and compresses system.jsonl as the recorder is configured to', () => {
  it('rotates at the configured size, not its own default, and gzips what it rotated after the grace', async () => {
    const logs = await withWatchdog({ rotateBytes: 8 * 1024, compressAfterMs: 50 }, async (dir) => {
      await until('three gzipped system files', () => names(dir, /^system\..*\.jsonl\.gz$/).length >= 3);
    });
    for (const name of names(logs, /^system\..*\.jsonl(\.gz)?$/)) {
      // A rotated file holds what was written up to the check that found it past the size: one line more at most.
      if (!name.endsWith('.gz')) expect(statSync(join(logs, name)).size, name).toBeLessThan(8 * 1024 + 2048);
    }
    const { lines, bad } = await readLogs(logs, ['system']);
    expect(bad).toEqual([]);
    const beats = lines.filter((l) => l.event_type === 'SHUTDOWN_HEARTBEAT');
    expect(beats.length).toBeGreaterThan(30);
    // Every heartbeat once, rotated and gzipped or not: no line lost to a compression.
    const seqs = lines.map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(lines.filter((l) => l.event_type === 'LOG')).toEqual([]);
  }, 60_000);

  it('reports a rotated file it could not gzip as a LOG warn line of the session; the file stays plain, with its lines', async () => {
    const blocked: string[] = [];
    const logs = await withWatchdog({ rotateBytes: 8 * 1024, compressAfterMs: 300 }, async (dir) => {
      // A directory at the .tmp name of each file the thread rotates, made within its grace period,
      // makes that compression fail (EEXIST), whatever the clock.
      await until('a failed compression reported', () => {
        for (const name of names(dir, ROTATED_SYSTEM)) {
          if (blocked.includes(name)) continue;
          mkdirSync(join(dir, `${name}.gz.tmp`));
          blocked.push(name);
        }
        return blocked.length > 0 && existsSync(join(dir, 'system.jsonl')) && warnings(dir).length > 0;
      });
    });
    const { lines, bad } = await readLogs(logs, ['system']);
    expect(bad).toEqual([]);
    const warned = lines.filter((l) => l.event_type === 'LOG' && l.level === 'warn');
    expect(warned.length).toBeGreaterThan(0);
    const first = warned[0] as unknown as { session_id: string; message: string; component: string; data: { path: string; error: string } };
    expect(first.session_id).toBe(SESSION);
    expect(first.component).toBe('recorder');
    expect(first.message).toMatch(/^could not gzip the rotated log .*system\.\d{8}T\d{9}Z(_\d+)?\.jsonl: .*EEXIST.*; it stays uncompressed \(retried at the next start\)$/);
    expect(blocked.map((name) => join(logs, name))).toContain(first.data.path);
    expect(existsSync(first.data.path)).toBe(true);
    const seqs = lines.map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
  }, 60_000);
});

/** The warn lines written so far, read from the plain system files, the current one included (a file gone to its .gz meanwhile is passed over). */
function warnings(logs: string): string[] {
  return names(logs, /^system(\..*)?\.jsonl$/)
    .flatMap((name) => {
      try {
        return readFileSync(join(logs, name), 'utf8').split('\n');
      } catch {
        return [];
      }
    })
    .filter((line) => line.includes('"level":"warn"') && line.includes('could not gzip'));
}

describe('a FileSink that leaves the leftovers of earlier runs to another sink (compressLeftovers: false)', () => {
  it('gzips the files it rotates and leaves the rotated files of earlier runs (and their .tmp) to the main sink', async () => {
    const logs = join(tempDir('tradetrace-own-rotations-'), 'logs');
    mkdirSync(logs, { recursive: true });
    const leftover = join(logs, 'system.20200101T000000000Z.jsonl');
    writeFileSync(leftover, '{"a":1}\n');
    // The main thread's compression of another leftover, in flight.
    const inFlight = join(logs, 'system.20200101T000001000Z.jsonl.gz.tmp');
    writeFileSync(inFlight, '');
    const failures: unknown[] = [];
    const sink = new FileSink(logs, { rotateBytes: 4096, compressRotated: { graceMs: 0, onFailure: (_path, error) => failures.push(error) }, compressLeftovers: false });
    const recorder = new Recorder({ sessionId: SESSION, sink });
    for (let i = 1; i <= 100; i++) recorder.emit('LOG', { message: `line ${i}` });
    await until('its rotations compressed', () => names(logs, /\.jsonl\.gz$/).length >= 2);
    await sink.compression?.idle();
    recorder.close();
    expect(failures).toEqual([]);
    expect([existsSync(leftover), existsSync(`${leftover}.gz`), existsSync(inFlight)]).toEqual([true, false, true]);
    expect(names(logs, ROTATED_SYSTEM)).toEqual(['system.20200101T000000000Z.jsonl']);
  });
});
