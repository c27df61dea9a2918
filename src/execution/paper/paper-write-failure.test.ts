import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BTC_PERP_CSV, sharedDataAvailable } from '../../../test/support/shared-data.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { BTC_USD } from '../testing/paper-markets.js';
import { PaperExchange } from './paper-exchange.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const CHILD = resolve(import.meta.dirname, 'fixtures/paper-disk-full-child.ts');
const available = sharedDataAvailable();

describe.runIf(available)('a paper exchange whose state file cannot be written', () => {
  it('stops answering instead of running ahead of its record, and the reopened file has exactly the acknowledged orders', async () => {
    const statePath = join(tempDir(), 'paper-exchange.sqlite');
    // A 64 KiB file-size limit: the WAL outgrows it after a few orders and the next commit fails with EFBIG, as on a full disk.
    const { stdout } = await promisify(execFile)('bash', ['-c', 'ulimit -f 64 && exec "$0" "$@"', TSX, CHILD, statePath, BTC_PERP_CSV], { cwd: ROOT, timeout: 30_000 });
    const lines = stdout.trim().split('\n');
    const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4));
    expect(acked.length).toBeGreaterThan(0);
    const refused = lines.find((l) => l.startsWith('refused '));
    expect(refused).toMatch(new RegExp(`^refused df_${acked.length + 1} unavailable paper exchange stopped: cannot write paper exchange state ${statePath} \\(SQLITE_`));
    // Once stopped it stays stopped, for reads too, and the market feed is told loudly.
    expect(lines.slice(-2)).toEqual(['fetch unavailable', 'candle write_failed']);

    const exchange = new PaperExchange({ markets: [{ rules: BTC_USD, candleVolumeIn: 'quote' }], balances: {}, state: { path: statePath } });
    for (const id of acked) {
      const found = await exchange.fetchOrderByClientId('BTC/USD', id);
      expect(found.ok && found.value.status, id).toBe('filled');
    }
    // The refused order was rolled back with its commit: the bot was told the exchange was unavailable, and it has no such order.
    const lost = await exchange.fetchOrderByClientId('BTC/USD', `df_${acked.length + 1}`);
    expect(lost.ok ? 'found' : lost.error.code).toBe('not_found');
    const balances = await exchange.balances();
    const btc = balances.ok ? balances.value.find((b) => b.asset === 'BTC')?.free.toString() : 'error';
    expect(btc).toBe(Decimal.parse('0.01').mul(Decimal.from(BigInt(acked.length))).toString());
    exchange.close();
  }, 60_000);
});
