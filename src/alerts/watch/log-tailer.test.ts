import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import type { LineProblemReport } from '../log-replay.js';
import { tailRotatingWriter } from './fixtures/tail-rotating-writer.js';
import { LATE_APPEND_GRACE_MS, LogTailer } from './log-tailer.js';

const messages = (observations: readonly { readonly line: unknown }[]): string[] => observations.map((o) => String((o.line as { message?: string }).message));

/** Rotated system files, oldest first (stamped names sort by time). */
const rotatedSystemFiles = (logs: string): string[] => readdirSync(logs).filter((n) => /^system\.\d/.test(n)).sort().map((n) => join(logs, n));

/** What logrotate's compress does: the copy (keeping the original's mtime, as gzip does), then the original removed. */
function gzipInPlace(path: string): void {
  const { atime, mtime } = statSync(path);
  writeFileSync(`${path}.gz`, gzipSync(readFileSync(path)));
  utimesSync(`${path}.gz`, atime, mtime);
  unlinkSync(path);
}

/** A system LOG line numbered `n`, as any writer of the file would append it; `pad` lengthens it. */
const logLine = (n: number, pad = ''): string =>
  `${JSON.stringify({ ts: new Date(Date.UTC(2025, 9, 26, 10, 0, 0, n)).toISOString(), level: 'info', event_type: 'LOG', session_id: 's', seq: n, message: `line ${n}`, pad })}\n`;

type Compress = 'none' | 'compress' | 'delaycompress';

/**
 * One logrotate run with numbered names (`rotate` without `dateext`, `create`): system.jsonl.N(.gz)
 * -> .N+1(.gz), highest first, system.jsonl -> .1, a new empty system.jsonl; then `compress` gzips
 * the new .1, `delaycompress` the new .2.
 */
function logrotate(logs: string, compress: Compress): void {
  const base = join(logs, 'system.jsonl');
  const numbered = readdirSync(logs)
    .map((n) => /^system\.jsonl\.(\d+)(\.gz)?$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]));
  for (const m of numbered) renameSync(join(logs, m[0]), `${base}.${Number(m[1]) + 1}${m[2] ?? ''}`);
  renameSync(base, `${base}.1`);
  writeFileSync(base, '');
  if (compress === 'compress') gzipInPlace(`${base}.1`);
  if (compress === 'delaycompress' && existsSync(`${base}.2`)) gzipInPlace(`${base}.2`);
}

/** Writes LOG lines through a sink that rotates at 600 bytes, until it has rotated once more. */
function writeUntilRotated(recorder: Recorder, logs: string, prefix: string): void {
  const before = rotatedSystemFiles(logs).length;
  for (let i = 1; rotatedSystemFiles(logs).length === before; i++) recorder.emit('LOG', { message: `${prefix} ${i}` });
}

describe('LogTailer', () => {
  it('follows appends across real rotations: every line once, in order, with its file and line number', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs, { rotateBytes: 600 }) });
    const tailer = new LogTailer(logs, ['system']);
    expect(tailer.poll()).toEqual([]);
    const seen: number[] = [];
    for (let i = 1; i <= 60; i++) {
      recorder.emit('LOG', { message: `line ${i}` });
      // Poll at irregular moments: sometimes after a rotation happened, sometimes after several.
      if (i % 7 === 0) for (const o of tailer.poll()) seen.push(Number(String((o.line as { message?: string }).message).slice(5)));
    }
    for (const o of tailer.poll()) seen.push(Number(String((o.line as { message?: string }).message).slice(5)));
    recorder.close();
    tailer.close();
    expect(readdirSync(logs).filter((n) => n.startsWith('system.')).length).toBeGreaterThan(3);
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('waits for the rest of a line being written, and reports a corrupt line without stopping', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs) });
    recorder.emit('LOG', { message: 'first' });
    const problems: LineProblemReport[] = [];
    const tailer = new LogTailer(logs, ['system'], (p) => problems.push(p));
    expect(tailer.poll().map((o) => [o.lineNumber, o.line.event_type])).toEqual([[1, 'LOG']]);
    const file = join(logs, 'system.jsonl');
    appendFileSync(file, '{"ts":"2025-10-26T10:00:00.000Z","level":"info","event_type":"LOG",');
    expect(tailer.poll()).toEqual([]);
    appendFileSync(file, '"session_id":"s","seq":9,"message":"torn then completed"}\nnot json\n');
    recorder.emit('LOG', { message: 'after' });
    const got = tailer.poll();
    expect(got.map((o) => [o.lineNumber, (o.line as { message?: string }).message])).toEqual([[2, 'torn then completed'], [4, 'after']]);
    expect(problems).toEqual([{ file, lineNumber: 3, message: 'not_json: line is not JSON' }]);
    recorder.close();
    tailer.close();
  });

  it('delivers every line exactly once and in order while another process rotates the file at any moment', async () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const count = 30_000;
    // Tiny files: a rotation every ~100 lines, so rotations fall between a poll's directory listing
    // and its open, and several fall between two polls.
    const { seen, exitCode, stderr } = await tailRotatingWriter(logs, count, ['20000']);
    expect(exitCode, stderr).toBe(0);
    expect(readdirSync(logs).filter((n) => n.startsWith('system.')).length).toBeGreaterThan(50);
    // Compared as a summary first: a 30,000-element diff would bury which lines went wrong.
    const counts = new Map<number, number>();
    for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    expect({ missing: expected.filter((n) => !counts.has(n)).slice(0, 5), duplicated: [...counts].filter(([, c]) => c > 1).map(([n]) => n).slice(0, 5) }).toEqual({ missing: [], duplicated: [] });
    expect(seen).toEqual(expected);
  }, 20_000);

  it('close() twice leaves alone a descriptor the process has since reused', () => {
    const dir = tempDir('tradetrace-tail-');
    const logs = join(dir, 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs) });
    recorder.emit('LOG', { message: 'first' });
    recorder.close();
    const tailer = new LogTailer(logs, ['system'], () => undefined, { fromEnd: true });
    tailer.close();
    // The lowest free descriptor: the number the tailer just released.
    const other = join(dir, 'unrelated.txt');
    const fd = openSync(other, 'w');
    try {
      tailer.close();
      writeSync(fd, 'still mine\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(other, 'utf8')).toBe('still mine\n');
  });

  it('reads lines a second writer appends to a renamed file until it notices the rotation, within the grace period', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    let now = 0;
    const rotating = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs, { rotateBytes: 600 }) });
    // The watchdog thread's sink, say: it checks the path only every 10 s, so it writes on into the renamed file.
    const late = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs, { checkEveryMs: 10_000, checkEveryLines: 10_000 }) });
    late.emit('LOG', { message: 'late 0' });
    const tailer = new LogTailer(logs, ['system'], () => undefined, {}, () => now);
    expect(messages(tailer.poll())).toEqual(['late 0']);
    writeUntilRotated(rotating, logs, 'main');
    const first = messages(tailer.poll());
    late.emit('LOG', { message: 'late 1' });
    now += LATE_APPEND_GRACE_MS - 1;
    expect(messages(tailer.poll())).toEqual(['late 1']);
    late.emit('LOG', { message: 'late 2' });
    now += 1;
    // The last read of a file past its grace period still takes what reached it.
    expect(messages(tailer.poll())).toEqual(['late 2']);
    late.emit('LOG', { message: 'late 3' });
    expect(messages(tailer.poll())).toEqual([]);
    tailer.close();
    rotating.close();
    late.close();
    expect(first.filter((m) => m.startsWith('main')).length).toBeGreaterThan(0);
    const renamed = rotatedSystemFiles(logs)[0] ?? '';
    expect(readFileSync(renamed, 'utf8')).toContain('late 3');
  });

  it('reads a rotated file gzipped before it was seen, once, and no .gz of a file it read', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs, { rotateBytes: 600 }) });
    recorder.emit('LOG', { message: 'before' });
    let now = 0;
    const tailer = new LogTailer(logs, ['system'], () => undefined, {}, () => now);
    const seen = messages(tailer.poll());
    // Rotated and compressed between two polls: the file followed (its descriptor held) and one never seen.
    writeUntilRotated(recorder, logs, 'a');
    writeUntilRotated(recorder, logs, 'b');
    for (const path of rotatedSystemFiles(logs)) gzipInPlace(path);
    seen.push(...messages(tailer.poll()));
    // Rotated and read, then compressed: after the grace period too, when the file is closed.
    writeUntilRotated(recorder, logs, 'c');
    seen.push(...messages(tailer.poll()));
    now += LATE_APPEND_GRACE_MS;
    seen.push(...messages(tailer.poll()));
    const plain = rotatedSystemFiles(logs).filter((p) => !p.endsWith('.gz'));
    expect(plain).toHaveLength(1);
    // gzip mid-way: the copy written, the original not yet removed.
    writeFileSync(`${plain[0] ?? ''}.gz`, gzipSync(readFileSync(plain[0] ?? '')));
    recorder.emit('LOG', { message: 'after' });
    seen.push(...messages(tailer.poll()));
    unlinkSync(plain[0] ?? '');
    seen.push(...messages(tailer.poll()));
    tailer.close();
    recorder.close();
    const written = readdirSync(logs).sort().flatMap((n) => {
      const bytes = readFileSync(join(logs, n));
      return (n.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').split('\n').filter(Boolean).map((l) => String((JSON.parse(l) as { message: string }).message));
    });
    expect(new Set(written).size).toBe(written.length);
    expect([...seen].sort()).toEqual([...written].sort());
    expect(seen.filter((m) => m.startsWith('b')).length).toBeGreaterThan(0);
  });

  it('reports a damaged .gz and follows on', () => {
    const logs = join(tempDir('tradetrace-tail-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs, { rotateBytes: 600 }) });
    recorder.emit('LOG', { message: 'before' });
    const problems: LineProblemReport[] = [];
    const tailer = new LogTailer(logs, ['system'], (p) => problems.push(p));
    tailer.poll();
    writeUntilRotated(recorder, logs, 'a');
    writeUntilRotated(recorder, logs, 'b');
    const unseen = rotatedSystemFiles(logs)[1] ?? '';
    writeFileSync(`${unseen}.gz`, gzipSync(readFileSync(unseen)).subarray(0, 40));
    unlinkSync(unseen);
    recorder.emit('LOG', { message: 'after' });
    expect(messages(tailer.poll())).toContain('after');
    expect(problems).toEqual([{ file: `${unseen}.gz`, lineNumber: 0, message: expect.stringMatching(/^unreadable_gzip: /) as unknown }]);
    tailer.close();
    recorder.close();
  });

  describe('with logrotate\'s numbered names, which each rotation gives to another file', () => {
    const numbers = (observations: readonly { readonly line: unknown }[]): number[] => messages(observations).map((m) => Number(m.slice(5)));

    it.each([
      ['renamed only', 'none', 0, ''],
      ['renamed only, each file closed (its grace period over) before it is renamed again', 'none', LATE_APPEND_GRACE_MS, ''],
      ['compressed at once', 'compress', 0, ''],
      ['compressed at once, lines longer than a file head (4 KB)', 'compress', 0, 'x'.repeat(5000)],
      ['compressed a rotation later (delaycompress)', 'delaycompress', 0, ''],
      ['compressed a rotation later, each file closed before', 'delaycompress', LATE_APPEND_GRACE_MS, ''],
      ['compressed a rotation later, each file closed before, lines longer than a file head', 'delaycompress', LATE_APPEND_GRACE_MS, 'x'.repeat(5000)],
    ] as const)('%s: three rotations with polls in between, every line once and in order', (_name, compress, step, pad) => {
      const logs = join(tempDir('tradetrace-tail-'), 'logs');
      mkdirSync(logs);
      const file = join(logs, 'system.jsonl');
      let n = 0;
      const write = (count: number): void => {
        for (let i = 0; i < count; i++) appendFileSync(file, logLine(++n, pad));
      };
      let now = 0;
      const tailer = new LogTailer(logs, ['system'], () => undefined, {}, () => now);
      write(4);
      const seen = numbers(tailer.poll());
      for (let rotation = 1; rotation <= 3; rotation++) {
        logrotate(logs, compress);
        write(2);
        now += step;
        seen.push(...numbers(tailer.poll()));
      }
      now += LATE_APPEND_GRACE_MS;
      seen.push(...numbers(tailer.poll()));
      tailer.close();
      expect(readdirSync(logs).filter((name) => name.startsWith('system.jsonl.')).length).toBe(3);
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    });

    it.each(['none', 'compress', 'delaycompress'] as const)('%s: lines appended just before a rotation, and files rotated twice between polls, are read once', (compress) => {
      const logs = join(tempDir('tradetrace-tail-'), 'logs');
      mkdirSync(logs);
      const file = join(logs, 'system.jsonl');
      let n = 0;
      const write = (count: number): void => {
        for (let i = 0; i < count; i++) appendFileSync(file, logLine(++n));
      };
      let now = 0;
      const tailer = new LogTailer(logs, ['system'], () => undefined, {}, () => now);
      write(3);
      const seen = numbers(tailer.poll());
      // Appended after the poll's read, then renamed away: read through the descriptor held, from where the read stopped.
      write(2);
      logrotate(logs, compress);
      seen.push(...numbers(tailer.poll()));
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      // The same, then the file read and one never seen both renamed again before the next poll.
      write(2);
      logrotate(logs, compress);
      write(2);
      logrotate(logs, compress);
      write(1);
      seen.push(...numbers(tailer.poll()));
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      // Every file read, renamed once more: nothing new, within the grace period and after it.
      logrotate(logs, compress);
      expect(numbers(tailer.poll())).toEqual([]);
      now += LATE_APPEND_GRACE_MS;
      expect(numbers(tailer.poll())).toEqual([]);
      logrotate(logs, compress);
      write(1);
      expect(numbers(tailer.poll())).toEqual([11]);
      tailer.close();
    });

    it.each([
      ['from the start of the current file', {}, [5, 6, 7, 8, 9]],
      ['from its end', { fromEnd: true }, [7, 8, 9]],
    ] as const)('rotated files there when following began are history, not read when logrotate renames them (following %s)', (_name, options, expected) => {
      const logs = join(tempDir('tradetrace-tail-'), 'logs');
      mkdirSync(logs);
      const file = join(logs, 'system.jsonl');
      let n = 0;
      const write = (count: number): void => {
        for (let i = 0; i < count; i++) appendFileSync(file, logLine(++n));
      };
      write(2);
      logrotate(logs, 'none');
      write(2);
      logrotate(logs, 'delaycompress');
      write(2);
      let now = 0;
      // Lines 1-4 are in rotated files (history); lines 5-6 in the current one.
      const tailer = new LogTailer(logs, ['system'], () => undefined, options, () => now);
      const seen = numbers(tailer.poll());
      for (let rotation = 1; rotation <= 3; rotation++) {
        write(1);
        logrotate(logs, 'delaycompress');
        now += LATE_APPEND_GRACE_MS;
        seen.push(...numbers(tailer.poll()));
      }
      tailer.close();
      expect(seen).toEqual(expected);
    });
  });
});
