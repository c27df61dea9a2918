import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { StateStore } from '../store/state-store.js';
import { Decimal } from '../domain/decimal.js';
import { refuseLostAccount } from './lost-books.js';
import { PAPER_EXCHANGE_FILE, PaperSession, type PaperSessionOptions } from './paper-session.js';

const available = sharedDataAvailable();

const paperArgs = (dataDir: string): string[] => ['paper', '--data', BTC_PERP_CSV, '--set', 'trading.quote_currency=USD', '--speed', 'max', '--duration', '3s', '--data-dir', dataDir];

function sessionOptions(dataDir: string, sessionId: string, observer?: PaperSessionOptions['observer']): PaperSessionOptions {
  const loaded = loadConfig({ sets: ['trading.quote_currency=USD'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const logsDir = join(dataDir, 'logs');
  const recorder = new Recorder({ sessionId, sink: new FileSink(logsDir) });
  return { config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [BTC_PERP_CSV] }, speed: 'max', durationMs: 3000, signals: false, watchdog: false, ...(observer ? { observer } : {}) };
}

/** The books' orders as (client order id, exchange order id), read straight from state.sqlite. */
function bookedOrders(dataDir: string): { client_order_id: string; exchange_order_id: string | null }[] {
  const db = new Database(join(dataDir, 'state.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT client_order_id, exchange_order_id FROM orders ORDER BY created_at, rowid').all() as { client_order_id: string; exchange_order_id: string | null }[];
  } finally {
    db.close();
  }
}

const sessionEnds = (dataDir: string): { reason: string; exit_code: number; error_code?: string; message?: string }[] =>
  readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"event_type":"SESSION_END"'))
    .map((line) => JSON.parse(line) as { reason: string; exit_code: number; error_code?: string; message?: string });

describe.skipIf(!available)('the paper exchange account lost from beside the bot\'s books (real BTC-PERP candles)', () => {
  it('refuses to start when paper-exchange.sqlite is gone but state.sqlite holds orders, creates nothing, and says so on stderr and in SESSION_END', async () => {
    const dataDir = join(tempDir('tradetrace-lost-account-'), 'data');
    const first = await runQuery(paperArgs(dataDir), { env: { ENABLE_LIVE_DASHBOARD: 'false' } });
    expect(first.code).toBe(0);
    const orders = bookedOrders(dataDir);
    expect(orders.length).toBeGreaterThan(0);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `${PAPER_EXCHANGE_FILE}${suffix}`), { force: true });
    const before = readdirSync(dataDir).sort();

    const second = await runQuery(paperArgs(dataDir), { env: { ENABLE_LIVE_DASHBOARD: 'false' } });
    expect(second.code).toBe(1);
    const statePath = join(dataDir, 'state.sqlite');
    const accountPath = join(dataDir, PAPER_EXCHANGE_FILE);
    expect(second.stderr).toContain(`tradetrace paper: ${accountPath} is missing, but the bot's books ${statePath} of an earlier session are here`);
    expect(second.stderr).toContain(`the last with exchange id ${orders.at(-1)?.exchange_order_id ?? ''}`);
    expect(second.stderr).toMatch(/Nothing was created\. To go on, restore it from a backup; or start in a new --data-dir; or, to start this one over with a new account, move \S+state\.sqlite( with its -wal and -shm \(they hold its last changes\))? aside too/);
    expect(sessionEnds(dataDir).at(-1)).toMatchObject({ reason: 'refused', exit_code: 1, error_code: 'account_lost' });
    // No new account, and the books were neither opened for trading nor given a -wal beside them.
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(existsSync(accountPath)).toBe(false);
    expect(bookedOrders(dataDir)).toEqual(orders);
  }, 120_000);

  it('points at the copy saved when the account file was deleted mid-run; put back as printed, the next start trades on that account again', async () => {
    const dataDir = join(tempDir('tradetrace-lost-account-'), 'data');
    const accountPath = join(dataDir, PAPER_EXCHANGE_FILE);
    let fills = 0;
    // After the first fill is booked, as `rm paper-exchange.sqlite` does: its -wal and -shm stay.
    const first = sessionOptions(dataDir, 'session_20220101_000000', {
      onPortfolioChanged: () => {
        if (++fills === 1) rmSync(accountPath);
      },
    });
    const session = await PaperSession.open(first);
    const result = await session.run();
    first.recorder.close();
    expect(result.reason).toBe('error');
    expect(readdirSync(dataDir).filter((name) => name.startsWith(`${PAPER_EXCHANGE_FILE}.rescued-`))).toHaveLength(1);
    const positions = (() => {
      const books = StateStore.open({ dataDir });
      const held = books.positions().map((p) => `${p.symbol} ${p.qty.toString()}`);
      books.close();
      return held;
    })();
    expect(positions).toHaveLength(1);

    const second = sessionOptions(dataDir, 'session_20220102_000000');
    const refused = await PaperSession.open(second).then(() => undefined, (error: unknown) => error);
    second.recorder.close();
    expect(refused).toMatchObject({ code: 'account_lost', details: { path: accountPath, found: 'missing' } });
    const message = (refused as Error).message;
    expect(message).toContain(`open position ${positions[0] ?? ''}`);
    const command = /put back the copy tradetrace saved when the file went missing \((.*?)\) or a backup/.exec(message)?.[1] ?? '';
    expect(command).toMatch(/^rm -f \S+paper-exchange\.sqlite-wal \S+paper-exchange\.sqlite-shm && mv \S+paper-exchange\.sqlite\.rescued-\S+ \S+paper-exchange\.sqlite$/);
    expect(existsSync(accountPath)).toBe(false);

    execSync(command);
    const third = sessionOptions(dataDir, 'session_20220103_000000');
    const resumed = await PaperSession.open(third);
    // The account put back is the one the books traded on: its balances hold the position.
    expect(resumed.reconcile.outcomes.not_found).toBe(0);
    expect(resumed.store.positions().map((p) => `${p.symbol} ${p.qty.toString()}`)).toEqual(positions);
    await resumed.run('SIGTERM');
    third.recorder.close();
  }, 120_000);

  it('starts as before when the books hold no order (a session that never traded on an account) or neither file is there', async () => {
    const dataDir = join(tempDir('tradetrace-lost-account-'), 'data');
    const books = StateStore.open({ dataDir });
    books.close();
    const options = sessionOptions(dataDir, 'session_20220101_000000');
    const session = await PaperSession.open(options);
    expect(session.store.created).toBe(false);
    expect(existsSync(join(dataDir, PAPER_EXCHANGE_FILE))).toBe(true);
    await session.run('SIGTERM');
    options.recorder.close();

    const fresh = join(tempDir('tradetrace-lost-account-'), 'data');
    const run = await runQuery(paperArgs(fresh), { env: { ENABLE_LIVE_DASHBOARD: 'false' } });
    expect(run.code).toBe(0);
    expect(sessionEnds(fresh).at(-1)).toMatchObject({ exit_code: 0 });
  }, 120_000);
});

describe('the refusal reads the books without touching them', () => {
  it('names an order the lost account may still hold, and leaves no -wal or -shm beside books closed cleanly', () => {
    const dataDir = join(tempDir('tradetrace-lost-account-'), 'data');
    const books = StateStore.open({ dataDir });
    books.recordOrder({ clientOrderId: 'int_00000000000000b1-1', intentId: 'int_00000000000000b1', decisionId: 'dec_20260101_000000_000002', symbol: 'BTC/USDT', side: 'buy', qty: Decimal.parse('0.001'), limitPx: Decimal.parse('40000') });
    books.updateOrder('int_00000000000000b1-1', { status: 'submitted', exchangeOrderId: 'paper-1' });
    books.close();
    const before = readdirSync(dataDir).sort();
    expect(before).toEqual(['state.sqlite']);
    let message = 'not refused';
    try {
      refuseLostAccount(dataDir, PAPER_EXCHANGE_FILE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('(they hold 1 order (1 not settled yet), the last with exchange id paper-1; no open position)');
    expect(message).toContain(`move ${join(dataDir, 'state.sqlite')} aside too`);
    expect(readdirSync(dataDir).sort()).toEqual(before);
  });
});
