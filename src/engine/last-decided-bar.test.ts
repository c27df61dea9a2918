import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { isoTime } from '../market-data/bar.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { withDecision } from '../recorder/trace-context.js';
import { lastDecidedBarClose } from './last-decided-bar.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2022, 0, 1);

/** DECISION_STARTs as the engine writes them, for (symbol, bar index) pairs in order. */
const SESSION = 'session_20220101_000000';

function decide(logsDir: string, decisions: readonly (readonly [string, number])[], sessionId = SESSION): void {
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  decisions.forEach(([symbol, bar], i) => {
    withDecision(`dec_20220101_000000_${i.toString(16).padStart(6, '0')}`, () => {
      recorder.emit('DECISION_START', { symbol, bar_ts: isoTime(T0 + bar * MINUTE), price: Decimal.from('100'), strategy: 'ema_rsi' });
      recorder.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: 0.01 });
    });
  });
  recorder.close();
}

describe('lastDecidedBarClose', () => {
  it('is the earliest of each symbol\'s last decided bar close, so no symbol skips a bar', () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['ETH/USDT', 0], ['BTC/USDT', 1], ['ETH/USDT', 1], ['BTC/USDT', 2]]);
    expect(lastDecidedBarClose(logs, SESSION, ['BTC/USDT', 'ETH/USDT'], MINUTE)).toBe(T0 + 2 * MINUTE);
    expect(lastDecidedBarClose(logs, SESSION, ['BTC/USDT'], MINUTE)).toBe(T0 + 3 * MINUTE);
    // A symbol never decided here: no point to resume from.
    expect(lastDecidedBarClose(logs, SESSION, ['BTC/USDT', 'SOL/USDT'], MINUTE)).toBeUndefined();
    expect(lastDecidedBarClose(join(logs, 'missing'), SESSION, ['BTC/USDT'], MINUTE)).toBeUndefined();
  });

  it("reads only the given session's decisions: a later demo or another replay says nothing about this timeline", () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['BTC/USDT', 1]]);
    // A demo run afterwards decides a bar near 'now' under its own session.
    decide(logs, [['BTC/USDT', 10_000]], 'session_20260101_000000');
    expect(lastDecidedBarClose(logs, SESSION, ['BTC/USDT'], MINUTE)).toBe(T0 + 2 * MINUTE);
    expect(lastDecidedBarClose(logs, 'session_20990101_000000', ['BTC/USDT'], MINUTE)).toBeUndefined();
  });

  it('passes over a torn last line and reads the rotated file when the current one has no decision yet', () => {
    const logs = join(tempDir('tradetrace-decided-'), 'logs');
    decide(logs, [['BTC/USDT', 0], ['BTC/USDT', 1]]);
    appendFileSync(join(logs, 'decisions.jsonl'), '{"ts":"2022-01-01T00:09:00.000Z","level":"info","event_type":"DECISION_START","session_id":"session_20220101_0');
    expect(lastDecidedBarClose(logs, SESSION, ['BTC/USDT'], MINUTE)).toBe(T0 + 2 * MINUTE);
    renameSync(join(logs, 'decisions.jsonl'), join(logs, 'decisions.20220101T000500000Z.jsonl'));
    writeFileSync(join(logs, 'decisions.jsonl'), '');
    expect(lastDecidedBarClose(logs, SESSION, ['BTC/USDT'], MINUTE)).toBe(T0 + 2 * MINUTE);
  });
});
