import { appendFileSync, existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { isoTime } from '../market-data/bar.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { gzipRotated } from '../recorder/__fixtures__/gzip-rotated.js';
import { withDecision } from '../recorder/trace-context.js';
import { lastDecidedBars, type DecidedBar } from './last-decided-bar.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2022, 0, 1);

/** DECISION_STARTs as the engine writes them, for (symbol, bar index) pairs in order. */
const SESSION = 'session_20220101_000000';

function decide(logsDir: string, decisions: readonly (readonly [string, number])[], sessionId = SESSION): void {
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  decisions.forEach(([symbol, bar], i) => {
    withDecision(`dec_20220101_000000_${i.toString(16).padStart(6, '0')}`, () => {
      recorder.emit('DECISION_START', { symbol, bar_ts: isoTime(T0 + bar * MINUTE), price: Decimal.parse(`${100 + bar}.5`), strategy: 'ema_rsi' });
      recorder.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: 0.01 });
    });
  });
  recorder.close();
}

const closes = (entries: Map<string, DecidedBar>): Record<string, number> => Object.fromEntries([...entries].map(([symbol, bar]) => [symbol, bar.close]));

describe('lastDecidedBars', () => {
  it("is each symbol's own last decided bar close: killed between two symbols of one bar time, they stand a bar apart", async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1], ['ETH/USDT', 1], ['BTC/USDT', 2]]);
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE, 'ETH/USDT': T0 + 2 * MINUTE });
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE });
    // With the close price of that bar: where a synthetic market resumes.
    expect((await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE)).get('ETH/USDT')).toEqual({ close: T0 + 2 * MINUTE, price: '101.5' });
    // A symbol never decided here has no point to resume from; the others keep theirs.
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'SOL/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE });
    expect((await lastDecidedBars(join(logs, 'missing'), SESSION, ['BTC/USDT'], MINUTE)).size).toBe(0);
  });

  it("reads only the given session's decisions: a later demo or another replay says nothing about this timeline", async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['BTC/USDT', 1]]);
    // A demo run afterwards decides a bar near 'now' under its own session.
    decide(logs, [['BTC/USDT', 10_000]], 'session_20260101_000000');
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 2 * MINUTE });
    expect((await lastDecidedBars(logs, 'session_20990101_000000', ['BTC/USDT'], MINUTE)).size).toBe(0);
  });

  it('passes over a torn last line, and reads rotated files for a symbol the current one does not have', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1]]);
    appendFileSync(join(logs, 'decisions.jsonl'), '{"ts":"2022-01-01T00:09:00.000Z","level":"info","event_type":"DECISION_START","session_id":"session_20220101_0');
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 2 * MINUTE });
    renameSync(join(logs, 'decisions.jsonl'), join(logs, 'decisions.20220101T000500000Z.jsonl'));
    writeFileSync(join(logs, 'decisions.jsonl'), '');
    decide(logs, [['BTC/USDT', 2]]);
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE, 'ETH/USDT': T0 + MINUTE });
  });

  it('finds the last decision of a symbol in a rotated file gzipped since: not an older one in a plain file before it', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1], ['ETH/USDT', 1]]);
    rotate(logs, '20220101T000200000Z');
    // Killed a moment after the next rotation: BTC's bar 3 is all the current file holds; ETH's last
    // decision (bar 2) is only in the newest rotated file, which the bot's compression gzipped.
    decide(logs, [['BTC/USDT', 2], ['ETH/USDT', 2]]);
    const newest = rotate(logs, '20220101T000300000Z');
    decide(logs, [['BTC/USDT', 3]]);
    await gzipRotated(logs, newest);
    expect(existsSync(newest)).toBe(false);

    expect(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE)).toEqual(
      new Map([['BTC/USDT', { close: T0 + 4 * MINUTE, price: '103.5' }], ['ETH/USDT', { close: T0 + 3 * MINUTE, price: '102.5' }]]),
    );
    // A symbol the gzipped file does not have is looked for further back, in the plain file before it.
    decide(logs, [['SOL/USDT', 7]], 'session_20260101_000000');
    expect(closes(await lastDecidedBars(logs, SESSION, ['ETH/USDT', 'BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 4 * MINUTE, 'ETH/USDT': T0 + 3 * MINUTE });
  });

  it('keeps the last of several decisions of a symbol in one gzipped file, and passes over its torn last line', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1], ['BTC/USDT', 2], ['ETH/USDT', 1]]);
    // Cut off by a kill: its newline never written (a whole decision line but for that).
    appendFileSync(join(logs, 'decisions.jsonl'), `{"ts":"2022-01-01T00:09:00.000Z","level":"info","event_type":"DECISION_START","session_id":"${SESSION}","seq":99,"symbol":"BTC/USDT","bar_ts":"${isoTime(T0 + 9 * MINUTE)}","price":109.5}`);
    const rotated = rotate(logs, '20220101T000300000Z');
    await gzipRotated(logs, rotated);
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE, 'ETH/USDT': T0 + 2 * MINUTE });
  });

  it('reads a gzipped file larger than one unzipped chunk: a later part replaces an earlier one, a symbol only in the first part is kept', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    // About 1 MB unzipped: ETH only at the start, BTC throughout.
    decide(logs, [['ETH/USDT', 0], ...Array.from({ length: 3000 }, (_, bar) => ['BTC/USDT', bar] as const)]);
    const rotated = rotate(logs, '20220101T010000000Z');
    expect(statSync(rotated).size).toBeGreaterThan(1_000_000);
    await gzipRotated(logs, rotated);
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3000 * MINUTE, 'ETH/USDT': T0 + MINUTE });
  });

  it('reads a plain file gone to its .gz while the search read a newer one, and passes over one deleted meanwhile', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['ETH/USDT', 1], ['BTC/USDT', 1]]);
    const older = rotate(logs, '20220101T000200000Z');
    decide(logs, [['BTC/USDT', 2]]);
    await gzipRotated(logs, rotate(logs, '20220101T000300000Z'));
    decide(logs, [['BTC/USDT', 3]]);
    // The files are listed when the search begins; it reads the gzipped one in the background, and
    // meanwhile the bot's compression replaces the older plain file by its .gz.
    const searched = lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE);
    writeFileSync(`${older}.gz`, gzipSync(readFileSync(older)));
    unlinkSync(older);
    expect(closes(await searched)).toEqual({ 'BTC/USDT': T0 + 4 * MINUTE, 'ETH/USDT': T0 + 2 * MINUTE });
    // Deleted meanwhile (retention, an operator): what it said is gone, the start goes on.
    const again = lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE);
    unlinkSync(`${older}.gz`);
    expect(closes(await again)).toEqual({ 'BTC/USDT': T0 + 4 * MINUTE });
  });

  it('does not open an older file once the newer ones answered for every symbol', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 1], ['ETH/USDT', 1]]);
    // Not gzip at all: reading it would report it.
    const damaged = join(logs, 'decisions.20220101T000100000Z.jsonl.gz');
    writeFileSync(damaged, 'not gzip\n');
    const unreadable: string[] = [];
    const report = (path: string, error: unknown): void => void unreadable.push(`${path}: ${String(error)}`);
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE, report))).toEqual({ 'BTC/USDT': T0 + 2 * MINUTE, 'ETH/USDT': T0 + 2 * MINUTE });
    expect(unreadable).toEqual([]);
    // A symbol missing from the current file sends the search to it: reported, and the start goes on with what it found.
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'SOL/USDT'], MINUTE, report))).toEqual({ 'BTC/USDT': T0 + 2 * MINUTE });
    expect(unreadable).toEqual([expect.stringMatching(new RegExp(`^${damaged}: .*incorrect header check`)) as string]);
  });

  it('ends the search at a rotated file it cannot read: an older file would give an older bar for a symbol the damaged one may have decided later', async () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['ETH/USDT', 1]]);
    rotate(logs, '20220101T000200000Z');
    decide(logs, [['ETH/USDT', 5]]);
    const newer = rotate(logs, '20220101T000600000Z');
    await gzipRotated(logs, newer);
    const bytes = readFileSync(`${newer}.gz`);
    bytes.fill(0x20, 0, 4);
    writeFileSync(`${newer}.gz`, bytes);
    decide(logs, [['BTC/USDT', 6]]);
    const unreadable: string[] = [];
    expect(closes(await lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE, (path) => void unreadable.push(path)))).toEqual({ 'BTC/USDT': T0 + 7 * MINUTE });
    expect(unreadable).toEqual([`${newer}.gz`]);
  });
});

/** Renames the current decision file as the sink's rotation does; returns the rotated file's path. */
function rotate(logsDir: string, stamp: string): string {
  const rotated = join(logsDir, `decisions.${stamp}.jsonl`);
  renameSync(join(logsDir, 'decisions.jsonl'), rotated);
  return rotated;
}

