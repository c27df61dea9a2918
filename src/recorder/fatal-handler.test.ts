import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { errorCodeOf, installFatalHandlers } from './fatal-handler.js';
import { parseLine } from './line-parser.js';
import { NullSink } from './line-sink.js';
import { Recorder } from './recorder.js';

const CHILD = resolve(import.meta.dirname, '__fixtures__/fatal-child.ts');

function runChild(how: string): { status: number | null; stdout: string; stderr: string; lines: Record<string, unknown>[] } {
  const logs = join(tempDir('tradetrace-fatal-'), 'logs');
  const result = spawnSync(process.execPath, ['--import', 'tsx', CHILD, logs, how], { encoding: 'utf8', timeout: 30_000 });
  const file = join(logs, 'system.jsonl');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = text.split('\n').filter(Boolean).map((line) => {
    const parsed = parseLine(line, true);
    if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}\n${line}`);
    return parsed.value;
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, lines };
}

describe('installFatalHandlers', () => {
  it('logs an uncaught exception as FATAL with its code and stack, flushes buffered lines, exits 1', () => {
    const run = runChild('throw');
    expect(run.status).toBe(1);
    expect(run.lines.map((l) => l['event_type'])).toEqual(['LOG', 'FATAL']);
    const fatal = run.lines[1];
    expect(fatal).toMatchObject({ level: 'fatal', origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom in a timer' });
    expect(String(fatal?.['stack'])).toContain('fatal-child.ts');
    expect(run.stdout).toContain('onFatal saw: boom in a timer');
    expect(run.stderr).toContain('fatal uncaughtException');
  });

  it('logs an unhandled rejection as FATAL and exits 1', () => {
    const run = runChild('reject');
    expect(run.status).toBe(1);
    expect(run.lines.at(-1)).toMatchObject({ event_type: 'FATAL', origin: 'unhandledRejection', error_code: 'TypeError', message: 'rejected promise' });
  });

  it('records a rejection with a non-Error value without a stack', () => {
    const run = runChild('reject-string');
    expect(run.status).toBe(1);
    const fatal = run.lines.at(-1);
    expect(fatal).toMatchObject({ origin: 'unhandledRejection', error_code: 'non_error_string', message: 'just a string' });
    expect(fatal).not.toHaveProperty('stack');
  });

  it('still exits 1 with FATAL on disk when the onFatal hook throws', () => {
    const run = runChild('hook');
    expect(run.status).toBe(1);
    expect(run.lines.at(-1)?.['event_type']).toBe('FATAL');
    expect(run.stderr).toContain('onFatal hook failed: hook exploded');
  });

  it('after uninstall, leaves the process to Node default handling (no FATAL line)', () => {
    const run = runChild('uninstalled');
    expect(run.status).not.toBe(0);
    expect(run.lines.map((l) => l['event_type'])).not.toContain('FATAL');
    expect(run.stderr).toContain('after uninstall');
  });

  it('uninstall removes exactly the listeners it added', () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const uninstall = installFatalHandlers(new Recorder({ sessionId: 's', sink: new NullSink() }), { exit: () => undefined });
    expect(process.listenerCount('uncaughtException')).toBe((before[0] ?? 0) + 1);
    uninstall();
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
  });

  it('derives error codes from code, class name, or the thrown type', () => {
    expect(errorCodeOf(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe('ENOSPC');
    expect(errorCodeOf(new RangeError('x'))).toBe('RangeError');
    expect(errorCodeOf(42)).toBe('non_error_number');
    expect(errorCodeOf({ a: 1 })).toBe('non_error_object');
  });
});
