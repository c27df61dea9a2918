import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from './file-sink.js';
import { listLogFiles } from './log-files.js';
import { Recorder } from './recorder.js';

interface Failure {
  readonly path: string;
  readonly error: string;
}

function compressingSink(logs: string, failures: Failure[], rotateBytes = 64 * 1024): FileSink {
  return new FileSink(logs, {
    rotateBytes,
    checkEveryLines: 1,
    compressRotated: { graceMs: 0, onFailure: (path, error) => failures.push({ path, error: String(error) }) },
  });
}

/** Every line of a channel, in order, as the readers see them (plain or gzipped). */
function linesOf(logs: string): string[] {
  return listLogFiles(logs, ['system']).flatMap((f) => {
    const bytes = readFileSync(f.path);
    return (f.gzipped ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter((l) => l !== '');
  });
}

function messages(logs: string): string[] {
  return linesOf(logs).map((l) => String((JSON.parse(l) as { message?: string }).message));
}

describe('rotated log files are gzipped in the background', () => {
  it('each rotated file becomes a .gz holding exactly its lines, none lost or doubled', async () => {
    const logs = join(tempDir('tt-gzip-rotate-'), 'logs');
    const failures: Failure[] = [];
    const sink = compressingSink(logs, failures);
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink });
    for (let i = 1; i <= 3000; i++) {
      recorder.emit('LOG', { message: `line ${i}` });
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    await sink.compression?.idle();
    recorder.close();
    const names = readdirSync(logs);
    const gzipped = names.filter((n) => n.endsWith('.jsonl.gz'));
    expect(failures).toEqual([]);
    expect(gzipped.length).toBeGreaterThan(5);
    expect(names.filter((n) => /^system\.\d.*\.jsonl$/.test(n) || n.endsWith('.tmp'))).toEqual([]);
    expect(messages(logs)).toEqual(Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`));
  });

  it('without compressRotated, rotated files stay plain', () => {
    const logs = join(tempDir('tt-gzip-off-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new FileSink(logs, { rotateBytes: 8 * 1024, checkEveryLines: 1 }) });
    for (let i = 1; i <= 300; i++) recorder.emit('LOG', { message: `line ${i}` });
    recorder.close();
    expect(readdirSync(logs).filter((n) => n.endsWith('.gz'))).toEqual([]);
  });

  it('a file that cannot be gzipped is logged and stays plain, and writing goes on', async () => {
    const logs = join(tempDir('tt-gzip-fail-'), 'logs');
    const failures: Failure[] = [];
    mkdirSync(logs, { recursive: true });
    const sink = compressingSink(logs, failures, 8 * 1024);
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink });
    for (let i = 1; i <= 200; i++) recorder.emit('LOG', { message: `line ${i}` });
    // The rotations above queued their compressions, which start only once this test yields: a
    // directory at each one's .tmp name now makes every compression fail (EEXIST), whatever the clock.
    const rotated = readdirSync(logs).filter((n) => /^system\.\d.*\.jsonl$/.test(n));
    expect(rotated.length).toBeGreaterThan(1);
    for (const name of rotated) mkdirSync(join(logs, `${name}.gz.tmp`));
    await sink.compression?.idle();
    recorder.emit('LOG', { message: 'line 201' });
    recorder.close();
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]?.path).toMatch(/system\.\d{8}T\d{9}Z(_\d+)?\.jsonl$/);
    expect(failures[0]?.error).toMatch(/EEXIST|EISDIR/);
    expect(existsSync(failures[0]?.path ?? '')).toBe(true);
    expect(messages(logs)).toEqual(Array.from({ length: 201 }, (_, i) => `line ${i + 1}`));
  });
});

describe('a crash between the steps of a compression loses nothing and is finished at the next start', () => {
  const lines = (from: number, to: number): string =>
    Array.from({ length: to - from + 1 }, (_, i) => `{"ts":"2026-01-01T00:00:00.000Z","level":"info","event_type":"LOG","session_id":"session_20260101_000000","seq":${from + i},"message":"line ${from + i}"}\n`).join('');

  function crashedDir(): { logs: string; plain: string } {
    const logs = join(tempDir('tt-gzip-crash-'), 'logs');
    mkdirSync(logs, { recursive: true });
    const plain = join(logs, 'system.20260101T000000000Z.jsonl');
    writeFileSync(plain, lines(1, 500));
    writeFileSync(join(logs, 'system.jsonl'), lines(501, 510));
    return { logs, plain };
  }

  async function restart(logs: string, failures: Failure[]): Promise<void> {
    const sink = compressingSink(logs, failures);
    await sink.compression?.idle();
    sink.close();
  }

  /** The next start finishes what the crash left: no failure, only the .gz and the current file, every line once. */
  async function expectFinishedAtRestart(logs: string): Promise<void> {
    const failures: Failure[] = [];
    await restart(logs, failures);
    expect(failures).toEqual([]);
    expect(readdirSync(logs).sort()).toEqual(['system.20260101T000000000Z.jsonl.gz', 'system.jsonl']);
    expect(messages(logs)).toEqual(Array.from({ length: 510 }, (_, i) => `line ${i + 1}`));
  }

  it('a stray .tmp (crash while compressing) is removed and the plain file compressed again', async () => {
    const { logs, plain } = crashedDir();
    writeFileSync(`${plain}.gz.tmp`, gzipSync(lines(1, 500)).subarray(0, 100));
    expect(messages(logs)).toHaveLength(510);
    await expectFinishedAtRestart(logs);
  });

  it('a complete .gz beside its plain file (crash before the unlink) is read once, then the plain file goes', async () => {
    const { logs, plain } = crashedDir();
    writeFileSync(`${plain}.gz`, gzipSync(lines(1, 500)));
    expect(messages(logs)).toHaveLength(510);
    await expectFinishedAtRestart(logs);
  });

  it('a .gz that does not hold the plain file\'s lines (a late append) is made again from the plain file', async () => {
    const { logs, plain } = crashedDir();
    writeFileSync(`${plain}.gz`, gzipSync(lines(1, 499)));
    await expectFinishedAtRestart(logs);
  });

  it('a rotated plain file alone (crash before compressing) is compressed at the next start', async () => {
    const { logs } = crashedDir();
    await expectFinishedAtRestart(logs);
  });
});

describe('at start, rotated files left plain wait a grace period from the start, not from their last write', () => {
  it('a restart finds the newest rotated decision file still plain (lastDecidedBars reads it backwards, not unzipped from its start)', async () => {
    const logs = join(tempDir('tt-gzip-start-'), 'logs');
    mkdirSync(logs, { recursive: true });
    const rotated = join(logs, 'decisions.20200101T000000000Z.jsonl');
    writeFileSync(rotated, '{"ts":"2020-01-01T00:00:00.000Z","level":"info","event_type":"LOG","session_id":"session_20200101_000000","seq":1,"message":"old"}\n');
    // Last written long ago: the bot was killed right after this rotation and restarted later.
    utimesSync(rotated, new Date('2020-01-01T00:00:01Z'), new Date('2020-01-01T00:00:01Z'));
    const failures: Failure[] = [];
    const sink = new FileSink(logs, { compressRotated: { graceMs: 200, onFailure: (path, error) => failures.push({ path, error: String(error) }) } });
    await new Promise((r) => setTimeout(r, 50));
    await sink.compression?.idle();
    expect(existsSync(rotated)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await sink.compression?.idle();
    sink.close();
    expect(failures).toEqual([]);
    expect(readdirSync(logs)).toEqual(['decisions.20200101T000000000Z.jsonl.gz']);
  });
});
