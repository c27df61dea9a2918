import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { BTC_USD } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const CHILD = resolve(import.meta.dirname, 'fixtures/paper-account-child.ts');

interface ChildRun {
  readonly acks: Map<string, { status: string; filledQty: string }>;
  readonly cancels: Map<string, string>;
}

/**
 * Runs the child through the tsx binary until it acknowledged `atLeast` calls, then SIGKILLs the
 * process that holds the account. tsx runs the script in a child node process of its own and cannot
 * relay a SIGKILL, so the child reports its pid and that process is the one killed.
 */
function runAndKill(statePath: string, atLeast: number): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const child = spawn(TSX, [CHILD, statePath, BTC_PERP_CSV], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { acks: new Map(), cancels: new Map() };
    let pid = 0;
    let killed = false;
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (pid) process.kill(pid, 'SIGKILL');
      fail(new Error(`child did not reach ${atLeast} acknowledgements in time: ${stderr}`));
    }, 40_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, id = '', status = '', filledQty = ''] = line.split(' ');
        if (kind === 'pid') pid = Number(id);
        else if (kind === 'ack') run.acks.set(id, { status, filledQty });
        else if (kind === 'cancel') run.cancels.set(id, status);
      }
      if (!killed && pid && run.acks.size + run.cancels.size >= atLeast) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    });
    // 'close' comes after the pipe is drained: lines the child wrote before dying are all counted.
    child.on('close', () => {
      clearTimeout(timer);
      if (killed) done(run);
      else fail(new Error(`child ended without being killed: ${stderr}`));
    });
  });
}

const available = sharedDataAvailable();

describe.runIf(available)('a SIGKILLed bot on a persistent paper account', () => {
  it('finds every acknowledged order, with at least the fills it was told of, and balances that match the orders', async () => {
    const statePath = join(tempDir(), 'data', 'paper-exchange.sqlite');
    const run = await runAndKill(statePath, 200);
    expect(run.acks.size).toBeGreaterThan(100);

    const exchange = new PaperExchange({ markets: [{ rules: BTC_USD, candleVolumeIn: 'quote' }], balances: {}, state: { path: statePath } });
    expect(exchange.stateFile?.created).toBe(false);
    for (const [id, ack] of run.acks) {
      const found = await exchange.fetchOrderByClientId('BTC/USD', id);
      if (!found.ok) throw new Error(`acknowledged order ${id} is missing after the kill: ${found.error.message}`);
      // An order open when acknowledged may have filled later; nothing ever un-fills.
      expect(found.value.filledQty.gte(Decimal.parse(ack.filledQty)), id).toBe(true);
      if (ack.status !== 'submitted' && ack.status !== 'partially_filled') expect(found.value.status, id).toBe(ack.status);
    }
    for (const [id, status] of run.cancels) {
      const found = await exchange.fetchOrderByClientId('BTC/USD', id);
      expect(found.ok && found.value.status, id).toBe(status);
    }
    const first = [...run.acks.keys()][0] ?? '';
    const again = await exchange.placeOrder({ clientOrderId: first, symbol: 'BTC/USD', side: 'buy', type: 'market', qty: Decimal.parse('0.01'), tif: 'IOC' });
    expect(again.ok ? 'ok' : again.error.code).toBe('duplicate_order');
    const balances = await exchange.balances();
    if (!balances.ok) throw new Error(balances.error.message);
    exchange.close();

    // The file holds at most the one order the kill cut off between its commit and its answer.
    const db = new Database(statePath, { readonly: true });
    const rows = db.prepare('SELECT client_order_id, side, status, filled_qty, filled_notional, fee FROM orders').all() as { client_order_id: string; side: string; status: string; filled_qty: string; filled_notional: string; fee: string }[];
    db.close();
    expect(rows.length - run.acks.size).toBeGreaterThanOrEqual(0);
    expect(rows.length - run.acks.size).toBeLessThanOrEqual(1);
    // Every wallet equals the start plus what the recorded fills moved: orders and balances were written together.
    let usd = Decimal.parse('1000000');
    let btc = Decimal.parse('100');
    for (const row of rows) {
      const [qty, notional, fee] = [row.filled_qty, row.filled_notional, row.fee].map((t) => Decimal.parse(t)) as [Decimal, Decimal, Decimal];
      usd = row.side === 'buy' ? usd.sub(notional).sub(fee) : usd.add(notional).sub(fee);
      btc = row.side === 'buy' ? btc.add(qty) : btc.sub(qty);
    }
    const total = (asset: string) => {
      const b = balances.value.find((x) => x.asset === asset);
      return b ? b.free.add(b.locked).toString() : 'missing';
    };
    expect({ USD: total('USD'), BTC: total('BTC') }).toEqual({ USD: usd.toString(), BTC: btc.toString() });
  }, 60_000);
});
