import { existsSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { gzipRotated } from '../recorder/__fixtures__/gzip-rotated.js';
import { withDecision, withIntent } from '../recorder/trace-context.js';
import { StateStore } from '../store/state-store.js';
import { runReplaySession } from './__fixtures__/replay-session.js';
import { findUnsentIntents } from './unsent-intents.js';

const OLDER = 'session_20211231_000000';
const KILLED = 'session_20220101_000000';
const RESTART = 'session_20220101_000100';
const DECISION = 'dec_20211231_235900_abcdef';
const d = (text: string): Decimal => Decimal.parse(text);
const ORDERS = 'orders.jsonl';
const nobodyKnows = (): boolean => false;

/** An order log writer of one session; `rotateAfter` makes the write that passes that many bytes rotate orders.jsonl, as the bot's sink does. */
function writer(logsDir: string, sessionId: string, rotateAfter?: number): Recorder {
  return new Recorder({ sessionId, sink: new FileSink(logsDir, rotateAfter === undefined ? {} : { rotateBytes: rotateAfter }) });
}

function context(recorder: Recorder, intentId: string, attempt: number): void {
  withDecision(DECISION, () => withIntent(intentId, () => recorder.emit('ORDER_CONTEXT', {
    symbol: 'BTC/USD', side: 'sell', qty: d('0.001'), limit_px: d('46000'), quote_budget: d('46'), notional: d('46'), tif: 'IOC', slippage_bps: 20,
    min_notional: d('5'), max_retries: 3, retry_backoff_ms: 400, attempt, attempt_start_ts: 1641000000, client_order_id: `${intentId}-${attempt}`,
    reference_px: d('46100'),
  })));
}

function retry(recorder: Recorder, intentId: string, attempt: number): void {
  withDecision(DECISION, () => withIntent(intentId, () => recorder.emit('ORDER_RETRY', {
    symbol: 'BTC/USD', attempt, next_attempt: attempt + 1, reason: 'network', message: 'connect ECONNREFUSED', backoff_ms: 10,
  })));
}

function filled(recorder: Recorder, intentId: string, attempt: number): void {
  withDecision(DECISION, () => withIntent(intentId, () => recorder.emit('ORDER_FILLED', {
    symbol: 'BTC/USD', side: 'sell', attempt, client_order_id: `${intentId}-${attempt}`, exchange_order_id: 'x1', filled_qty: d('0.001'), avg_px: d('46000'),
    fee: d('0.046'), fee_currency: 'USD', partial: false,
  })));
}

/** A whole intent, answered: sent and filled. */
function answered(recorder: Recorder, intentId: string): void {
  context(recorder, intentId, 1);
  filled(recorder, intentId, 1);
}

/** The only rotated orders file: what the write that passed `rotateAfter` left behind. */
function rotatedOrders(logsDir: string): string {
  const rotated = readdirSync(logsDir).filter((name) => /^orders\.[0-9TZ_]+\.jsonl$/.test(name));
  expect(rotated).toHaveLength(1);
  return join(logsDir, rotated[0] ?? '');
}

/** Writes `lines` with a sink that rotates orders.jsonl at the last of them, as the bot's would on reaching recorder.rotate_mb. */
function rotatingAtLastWrite(logsDir: string, sessionId: string, lines: (recorder: Recorder) => void, last: (recorder: Recorder) => void): string {
  const before = writer(logsDir, sessionId);
  lines(before);
  before.close();
  const size = statSync(join(logsDir, ORDERS)).size;
  const rotating = writer(logsDir, sessionId, size + 1);
  last(rotating);
  rotating.close();
  expect(existsSync(join(logsDir, ORDERS)), 'orders.jsonl was rotated by that write').toBe(false);
  return rotatedOrders(logsDir);
}

const unsentOf = (intentId: string, attempts: number, sessionId = KILLED) => ({
  intentId, decisionId: DECISION, symbol: 'BTC/USD', side: 'sell', clientOrderIds: Array.from({ length: attempts }, (_, i) => `${intentId}-${i + 1}`), sessionId,
});

describe('findUnsentIntents across a rotation of orders.jsonl', () => {
  it('finds the unsent ORDER_CONTEXT whose own write rotated orders.jsonl: it is the last line of the newest rotated file, and there is no orders.jsonl', async () => {
    const logsDir = join(tempDir('tradetrace-unsent-rot-'), 'logs');
    const older = writer(logsDir, OLDER);
    context(older, 'int_00000000000000a0', 1); // the session before: closed by the killed one's start, not ours to read
    older.close();
    rotatingAtLastWrite(logsDir, KILLED, (w) => answered(w, 'int_00000000000000a1'), (w) => context(w, 'int_00000000000000aa', 1));
    // Older history the search must not open: a line of the session before ends it (this one is no gzip at all).
    writeFileSync(join(logsDir, 'orders.20211230T000000000Z.jsonl.gz'), 'not gzip');
    expect(await findUnsentIntents(logsDir, RESTART, nobodyKnows)).toEqual([unsentOf('int_00000000000000aa', 1)]);
    // The store knows the attempt: it was recorded, so sent; reconciliation looks it up instead.
    expect(await findUnsentIntents(logsDir, RESTART, (id) => id === 'int_00000000000000aa-1')).toEqual([]);
    // The restart's own lines in a new orders.jsonl say nothing about the killed session.
    const restart = writer(logsDir, RESTART);
    context(restart, 'int_00000000000000bb', 1);
    restart.close();
    expect(await findUnsentIntents(logsDir, RESTART, nobodyKnows)).toEqual([unsentOf('int_00000000000000aa', 1)]);
  });

  it('finds it in the newest rotated file gzipped before the restart, streamed through the .gz', async () => {
    const logsDir = join(tempDir('tradetrace-unsent-rot-'), 'logs');
    const older = writer(logsDir, OLDER);
    context(older, 'int_00000000000000a0', 1);
    older.close();
    const rotated = rotatingAtLastWrite(logsDir, KILLED, (w) => answered(w, 'int_00000000000000a1'), (w) => context(w, 'int_00000000000000aa', 1));
    await gzipRotated(logsDir, rotated);
    expect(await findUnsentIntents(logsDir, RESTART, nobodyKnows)).toEqual([unsentOf('int_00000000000000aa', 1)]);
  });

  it('reads a session that straddles the rotation whole: an intent retried across it has both attempts, one answered before it stays answered', async () => {
    for (const gzipped of [false, true]) {
      const logsDir = join(tempDir('tradetrace-unsent-rot-'), 'logs');
      // Attempt 1 failed on the network and was booked; the write of its ORDER_RETRY rotated the file;
      // attempt 2's ORDER_CONTEXT went to the new orders.jsonl and the session was killed.
      const rotated = rotatingAtLastWrite(logsDir, KILLED, (w) => {
        answered(w, 'int_00000000000000a1');
        context(w, 'int_00000000000000aa', 1);
      }, (w) => retry(w, 'int_00000000000000aa', 1));
      if (gzipped) await gzipRotated(logsDir, rotated);
      const killed = writer(logsDir, KILLED);
      context(killed, 'int_00000000000000aa', 2);
      killed.close();
      expect(await findUnsentIntents(logsDir, RESTART, (id) => id === 'int_00000000000000aa-1'), gzipped ? 'gzipped' : 'plain').toEqual([unsentOf('int_00000000000000aa', 2)]);
    }
  });

  it('reads an answer in the current file for an intent begun in a rotated one, and stops at a line of an older session inside a .gz', async () => {
    const logsDir = join(tempDir('tradetrace-unsent-rot-'), 'logs');
    // The session before left an intent unsent too (closed at the killed session's start): not this start's.
    const older = writer(logsDir, OLDER);
    answered(older, 'int_00000000000000a0');
    context(older, 'int_00000000000000a9', 1);
    older.close();
    const killedBefore = writer(logsDir, KILLED);
    context(killedBefore, 'int_00000000000000a1', 1);
    context(killedBefore, 'int_00000000000000a2', 1);
    killedBefore.close();
    const mixed = join(logsDir, 'orders.20220101T000030000Z.jsonl');
    renameSync(join(logsDir, ORDERS), mixed);
    await gzipRotated(logsDir, mixed);
    const killed = writer(logsDir, KILLED);
    filled(killed, 'int_00000000000000a1', 1);
    context(killed, 'int_00000000000000aa', 1);
    killed.close();
    // a1 was answered after the rotation; a2 began before it and was never answered; aa is the last.
    expect(await findUnsentIntents(logsDir, RESTART, nobodyKnows)).toEqual([unsentOf('int_00000000000000a2', 1), unsentOf('int_00000000000000aa', 1)]);
  });

  it('reads only the last 4 MiB of lines of a longer .gz, and no older file once they are read', async () => {
    const logsDir = join(tempDir('tradetrace-unsent-rot-'), 'logs');
    const killed = writer(logsDir, KILLED);
    // Over 6 MiB of answered intents of the killed session, then its unsent one, all in one gzipped rotated file.
    for (let i = 0; i === 0 || statSync(join(logsDir, ORDERS)).size < 6 * 1024 * 1024; i++) answered(killed, `int_${i.toString(16).padStart(16, '0')}`);
    context(killed, 'int_00000000000000aa', 2);
    killed.close();
    const rotated = join(logsDir, 'orders.20220101T000030000Z.jsonl');
    renameSync(join(logsDir, ORDERS), rotated);
    await gzipRotated(logsDir, rotated);
    writeFileSync(join(logsDir, 'orders.20211230T000000000Z.jsonl.gz'), 'not gzip');
    // Every line read was the killed session's, so its lines may go on, but the budget is spent: the
    // file beyond (which would fail the search) is not opened.
    expect(await findUnsentIntents(logsDir, RESTART, nobodyKnows)).toEqual([{ ...unsentOf('int_00000000000000aa', 2), clientOrderIds: ['int_00000000000000aa-2'] }]);
  });

  it('reads a rotated plain file gone to its .gz while the search read a newer one, and ends at one deleted meanwhile without failing', async () => {
    const logsDir = join(tempDir('tradetrace-unsent-rot-'), 'logs');
    const rotated = rotatingAtLastWrite(logsDir, KILLED, (w) => answered(w, 'int_00000000000000a1'), (w) => context(w, 'int_00000000000000aa', 1));
    const restart = writer(logsDir, RESTART);
    context(restart, 'int_00000000000000bb', 1);
    restart.close();
    // The files are listed, and the current one read, when the search begins; meanwhile the bot's
    // compression replaces the rotated plain file by its .gz.
    const searched = findUnsentIntents(logsDir, RESTART, nobodyKnows);
    writeFileSync(`${rotated}.gz`, gzipSync(readFileSync(rotated)));
    unlinkSync(rotated);
    expect(await searched).toEqual([unsentOf('int_00000000000000aa', 1)]);
    // Deleted meanwhile (retention, an operator): what it said is gone, the start goes on.
    const again = findUnsentIntents(logsDir, RESTART, nobodyKnows);
    unlinkSync(`${rotated}.gz`);
    expect(await again).toEqual([]);
  });
});

const available = sharedDataAvailable();

describe.skipIf(!available)('a paper session killed right after orders.jsonl rotated at the write of an ORDER_CONTEXT', () => {
  for (const gzipped of [false, true]) {
    it(`has that intent closed at the next start (rotated file ${gzipped ? 'gzipped' : 'still plain'} by then)`, async () => {
      const dir = tempDir('tradetrace-unsent-rot-');
      const dataDir = join(dir, 'data');
      const logsDir = join(dataDir, 'logs');
      const csv = join(dir, 'BTCUSD.csv');
      writeFileSync(csv, `${readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 121).join('\n')}\n`);
      await runReplaySession(dataDir, csv, KILLED);
      // Its last write: the sell's ORDER_CONTEXT, which took orders.jsonl past recorder.rotate_mb, then SIGKILL.
      const rotated = rotatingAtLastWrite(logsDir, KILLED, () => {}, (w) => context(w, 'int_00000000000000aa', 1));
      expect(readFileSync(rotated, 'utf8').trimEnd().split('\n').at(-1)).toContain('"client_order_id":"int_00000000000000aa-1"');
      if (gzipped) await gzipRotated(logsDir, rotated);
      const store = StateStore.open({ dataDir });
      expect(store.order('int_00000000000000aa-1')).toBeUndefined();
      store.close();

      await runReplaySession(dataDir, csv, RESTART);
      const logs = await readLogs(logsDir);
      expect(logs.bad).toEqual([]);
      expect(logs.lines.filter((l) => l.event_type === 'ORDER_RECONCILED')).toEqual([
        expect.objectContaining({
          session_id: RESTART, decision_id: DECISION, intent_id: 'int_00000000000000aa', side: 'sell', client_order_id: 'int_00000000000000aa-1',
          outcome: 'not_found', previous_status: 'not_recorded', status: 'not_sent', level: 'warn',
        }),
      ]);
      const complete = logs.lines.filter((l) => l.event_type === 'RECONCILE_COMPLETE' && l.session_id === RESTART);
      expect(complete).toEqual([expect.objectContaining({ checked: 1, outcomes: expect.objectContaining({ not_found: 1 }) as unknown })]);
      // The killed session's own intents, in the rotated file too, all ended: none is taken for unsent.
      expect(logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT' && l.session_id === KILLED).length).toBeGreaterThan(1);
    }, 60_000);
  }
});

describe('findUnsentIntents and a rotated orders file it cannot read', () => {
  it('reports it (path and error) and ends the search there instead of failing the start', async () => {
    const logsDir = join(tempDir('tradetrace-unsent-damaged-'), 'logs');
    const rotated = rotatingAtLastWrite(logsDir, KILLED, (w) => answered(w, 'int_00000000000000a1'), (w) => context(w, 'int_00000000000000aa', 1));
    // Damaged: its gzip header overwritten (the bytes an operator's tool or a bad disk might leave).
    await gzipRotated(logsDir, rotated);
    const damaged = readFileSync(`${rotated}.gz`);
    damaged.fill(0x20, 0, 4);
    writeFileSync(`${rotated}.gz`, damaged);
    const unreadable: { path: string; error: string }[] = [];
    expect(await findUnsentIntents(logsDir, RESTART, nobodyKnows, (path, error) => unreadable.push({ path, error: String(error) }))).toEqual([]);
    expect(unreadable).toEqual([{ path: `${rotated}.gz`, error: expect.stringMatching(/incorrect header check/) as string }]);
  });
});
