import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { isoTime } from '../market-data/bar.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
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
  it("is each symbol's own last decided bar close: killed between two symbols of one bar time, they stand a bar apart", () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1], ['ETH/USDT', 1], ['BTC/USDT', 2]]);
    expect(closes(lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE, 'ETH/USDT': T0 + 2 * MINUTE });
    expect(closes(lastDecidedBars(logs, SESSION, ['BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE });
    // With the close price of that bar: where a synthetic market resumes.
    expect(lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE).get('ETH/USDT')).toEqual({ close: T0 + 2 * MINUTE, price: '101.5' });
    // A symbol never decided here has no point to resume from; the others keep theirs.
    expect(closes(lastDecidedBars(logs, SESSION, ['BTC/USDT', 'SOL/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE });
    expect(lastDecidedBars(join(logs, 'missing'), SESSION, ['BTC/USDT'], MINUTE).size).toBe(0);
  });

  it("reads only the given session's decisions: a later demo or another replay says nothing about this timeline", () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['BTC/USDT', 1]]);
    // A demo run afterwards decides a bar near 'now' under its own session.
    decide(logs, [['BTC/USDT', 10_000]], 'session_20260101_000000');
    expect(closes(lastDecidedBars(logs, SESSION, ['BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 2 * MINUTE });
    expect(lastDecidedBars(logs, 'session_20990101_000000', ['BTC/USDT'], MINUTE).size).toBe(0);
  });

  it('passes over a torn last line, and reads rotated files for a symbol the current one does not have', () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1]]);
    appendFileSync(join(logs, 'decisions.jsonl'), '{"ts":"2022-01-01T00:09:00.000Z","level":"info","event_type":"DECISION_START","session_id":"session_20220101_0');
    expect(closes(lastDecidedBars(logs, SESSION, ['BTC/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 2 * MINUTE });
    renameSync(join(logs, 'decisions.jsonl'), join(logs, 'decisions.20220101T000500000Z.jsonl'));
    writeFileSync(join(logs, 'decisions.jsonl'), '');
    decide(logs, [['BTC/USDT', 2]]);
    expect(closes(lastDecidedBars(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE))).toEqual({ 'BTC/USDT': T0 + 3 * MINUTE, 'ETH/USDT': T0 + MINUTE });
  });
});
