import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { PAGE_SIZE } from '../../store/sqlite-file.js';
import { StateStore } from '../../store/state-store.js';
import { BTC_USD, candleAt, loadRealMarkets } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';
import { isPaperStateError, type PaperStateErrorCode } from './paper-state-error.js';

const d = (text: string): Decimal => Decimal.parse(text);
const open = (path: string): PaperExchange =>
  new PaperExchange({ markets: [{ rules: BTC_USD, candleVolumeIn: 'quote' }], balances: { USD: d('100000'), BTC: d('2') }, state: { path } });
const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Opening `path` fails with `code`, names the file, and leaves its bytes as they were. */
function expectRefused(path: string, code: PaperStateErrorCode, message: RegExp): void {
  const before = digest(path);
  let thrown: unknown;
  try {
    open(path).close();
  } catch (error) {
    thrown = error;
  }
  if (!isPaperStateError(thrown)) throw new Error(`expected a PaperStateError ${code}, got ${String(thrown)}`);
  expect(thrown.code).toBe(code);
  expect(thrown.details.path).toBe(path);
  expect(thrown.message).toContain(path);
  expect(thrown.message).toMatch(message);
  expect(digest(path), 'the refused file is left untouched').toBe(before);
}

describe('a paper exchange state file that cannot be trusted is refused, never reset', () => {
  it('refuses a file that is not SQLite, an empty file, and a truncated one', () => {
    const dir = tempDir();
    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'these are not the orders you are looking for\n'.repeat(200));
    expectRefused(garbage, 'corrupt', /unreadable \(SQLITE_NOTADB/);
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    expectRefused(empty, 'corrupt', /empty file \(0 bytes\)/);

    const good = join(dir, 'good.sqlite');
    open(good).close();
    const truncated = join(dir, 'truncated.sqlite');
    writeFileSync(truncated, readFileSync(good).subarray(0, 1500));
    expectRefused(truncated, 'corrupt', /unreadable|damaged/);
  });

  it("refuses the bot's own state database and other foreign SQLite files", () => {
    const dir = tempDir();
    const store = StateStore.open({ dataDir: dir });
    store.close();
    expectRefused(join(dir, 'state.sqlite'), 'foreign_file', /not a paper exchange state \(meta\.app is "tradetrace-state"|not a paper exchange state/);
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expectRefused(other, 'foreign_file', /meta\.app is missing/);
  });

  it('refuses a file written by a newer schema', () => {
    const path = join(tempDir(), 'paper-exchange.sqlite');
    open(path).close();
    const db = new Database(path);
    db.pragma('user_version = 7');
    db.close();
    expectRefused(path, 'newer_schema', /schema version 7; this tradetrace reads version 1: it was written by a newer tradetrace/);
  });

  it('creates missing folders, and names the file when it cannot be created', () => {
    const dir = tempDir();
    const path = join(dir, 'a', 'b', 'paper-exchange.sqlite');
    const exchange = open(path);
    expect(exchange.stateFile).toEqual({ path, created: true });
    exchange.close();
    const made = new Database(path, { readonly: true });
    expect(made.pragma('page_size', { simple: true }), 'small pages: each commit writes whole pages').toBe(PAGE_SIZE);
    made.close();
    writeFileSync(join(dir, 'plain-file'), 'x');
    const blocked = join(dir, 'plain-file', 'paper-exchange.sqlite');
    expect(() => open(blocked)).toThrow(expect.objectContaining({ code: 'open_failed', message: expect.stringContaining(blocked) as string }) as Error);
  });
});

const available = sharedDataAvailable();

describe.runIf(available)('a paper exchange state file whose rows contradict themselves is refused', () => {
  const btc = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON, 300).btc : null;

  /** A file with one filled order and one resting buy holding USD. */
  async function withOrders(): Promise<string> {
    const path = join(tempDir(), 'paper-exchange.sqlite');
    const exchange = open(path);
    for (let i = 100; i <= 105; i++) exchange.onCandle('BTC/USD', candleAt(btc!, i));
    const px = candleAt(btc!, 105).close.sub(d('500'));
    const a = await exchange.placeOrder({ clientOrderId: 'f_1', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.01'), tif: 'IOC' });
    const b = await exchange.placeOrder({ clientOrderId: 'f_2', symbol: 'BTC/USD', side: 'buy', type: 'limit', qty: d('0.01'), limitPx: px, tif: 'GTC' });
    expect([a.ok && a.value.status, b.ok && b.value.status]).toEqual(['filled', 'submitted']);
    exchange.close();
    return path;
  }

  function tamper(path: string, sql: string): void {
    const db = new Database(path);
    db.exec(sql);
    db.close();
  }

  it.each([
    ["UPDATE orders SET status = 'done' WHERE client_order_id = 'f_1'", /column status: found "done", expected one of new, submitted/],
    ["UPDATE orders SET tif = 'IOC' WHERE client_order_id = 'f_2'", /order seq 2 \("f_2"\), column status: found submitted, expected a closed status: only GTC limit orders rest/],
    ["UPDATE balances SET free = '1e' WHERE asset = 'USD'", /balance "USD", column free: found "1e"/],
    ["UPDATE balances SET locked = '0' WHERE asset = 'USD'", /balance USD shows 0 locked but its open orders hold \d/],
    ["UPDATE orders SET status = 'canceled' WHERE client_order_id = 'f_2'", /column locked: found \d+(\.\d+)?, expected 0 for a canceled order/],
  ])('%s', async (sql, message) => {
    const path = await withOrders();
    tamper(path, sql);
    expectRefused(path, 'corrupt', message);
  });

  // A finished order's row is read only when the order is asked about (a start reads the open ones): it is refused then, and the exchange stops.
  it.each([
    ["UPDATE orders SET qty = 'lots' WHERE client_order_id = 'f_1'", /order seq 1 \("f_1"\), column qty: found "lots", expected a positive decimal/],
    ["UPDATE orders SET filled_qty = '0.005' WHERE client_order_id = 'f_1'", /column status: found filled, expected not filled/],
    ["UPDATE orders SET fee = '-1' WHERE client_order_id = 'f_1'", /column fee: found "-1", expected a decimal >= 0/],
  ])('%s (when f_1 is read)', async (sql, message) => {
    const path = await withOrders();
    tamper(path, sql);
    const row = (): unknown => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("SELECT * FROM orders WHERE client_order_id = 'f_1'").get();
      } finally {
        db.close();
      }
    };
    const before = row();
    const exchange = open(path);
    expect(exchange.peekOrder('f_2')?.status).toBe('submitted');
    const answer = await exchange.fetchOrderByClientId('BTC/USD', 'f_1');
    expect(answer.ok ? 'ok' : answer.error.code).toBe('unavailable');
    expect(answer.ok ? '' : answer.error.message).toMatch(message);
    expect(answer.ok ? '' : answer.error.message).toContain(path);
    const after = await exchange.fetchOrderByClientId('BTC/USD', 'f_2');
    expect(after.ok ? 'ok' : after.error.code, 'stopped: every later call answers unavailable').toBe('unavailable');
    exchange.close();
    expect(row(), 'the damaged row is left as it was').toEqual(before);
  });

  it('opens the untampered file (the cases above fail for their edit alone)', async () => {
    const path = await withOrders();
    const exchange = open(path);
    expect(exchange.peekOrder('f_2')?.status).toBe('submitted');
    exchange.close();
  });
});

describe.runIf(available)('a paper exchange state file deleted while the exchange runs', () => {
  const btc = available ? loadRealMarkets(BTC_PERP_CSV, ALTCOIN_JSON, 300).btc : null;

  it('stops answering at the next write, and the command it prints puts the account back', async () => {
    const dir = tempDir();
    const path = join(dir, 'paper-exchange.sqlite');
    const exchange = open(path);
    for (let i = 100; i <= 105; i++) exchange.onCandle('BTC/USD', candleAt(btc!, i));
    const first = await exchange.placeOrder({ clientOrderId: 'g_1', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.01'), tif: 'IOC' });
    expect(first.ok && first.value.status).toBe('filled');
    // As `rm paper-exchange.sqlite` does: the -wal and -shm stay behind.
    rmSync(path);
    const second = await exchange.placeOrder({ clientOrderId: 'g_2', symbol: 'BTC/USD', side: 'buy', type: 'market', qty: d('0.01'), tif: 'IOC' });
    const message = second.ok ? 'placed' : second.error.message;
    expect(message).toMatch(new RegExp(`paper exchange state ${path} was deleted while open.*copied to ${path}\\.rescued-`));
    exchange.close();
    execSync(/put it back: (.*)$/.exec(message)?.[1] ?? 'false');
    const restored = open(path);
    expect(restored.peekOrder('g_1')?.status).toBe('filled');
    expect(restored.peekOrder('g_2')).toBeUndefined();
    restored.close();
  });
});
