import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadConfig } from '../config/load-config.js';
import { Decimal } from '../domain/decimal.js';
import { readLogs, type ReadBack } from '../recorder/__fixtures__/read-logs.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { PaperStateFile } from '../execution/paper/paper-state-file.js';
import { StateStore } from '../store/state-store.js';
import { PAPER_EXCHANGE_FILE, PaperSession } from './paper-session.js';
import { warnAtStart, watchStartWarnings } from './startup-warnings.js';

const d = (text: string): Decimal => Decimal.parse(text);

/** A data dir whose books hold 938 USDT and a BTC/USDT position, and the account that bought it: a restart's starting point. */
function booksWithBtc(dataDir: string): void {
  const store = StateStore.open({ dataDir });
  store.setBalances({ USDT: d('938') });
  store.recordOrder({ clientOrderId: 'int_00000000000000a1-1', intentId: 'int_00000000000000a1', decisionId: 'dec_20260101_000000_000001', symbol: 'BTC/USDT', side: 'buy', qty: d('0.001'), limitPx: d('40000') });
  store.applyFill({ clientOrderId: 'int_00000000000000a1-1', filledQty: d('0.001'), avgPx: d('40000'), fee: d('0'), feeCurrency: 'USDT', status: 'filled', ts: Date.UTC(2026, 0, 1) });
  store.close();
  // Books that hold an order were traded on an account: without it beside them the start is refused (account_lost).
  const zero = d('0');
  PaperStateFile.open(join(dataDir, PAPER_EXCHANGE_FILE), [{ asset: 'USDT', free: d('938'), locked: zero }, { asset: 'BTC', free: d('0.001'), locked: zero }]).file.close();
}

async function restart(dataDir: string, sets: readonly string[], symbols: readonly string[]): Promise<ReadBack> {
  const logsDir = join(dataDir, 'logs');
  const loaded = loadConfig({ sets: [...sets, `trading.symbols=${symbols.join(',')}`, 'paper_exchange.fault_timeout=0', 'paper_exchange.fault_reject=0'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const recorder = new Recorder({ sessionId: 'session_20260102_000000', sink: new FileSink(logsDir) });
  const session = await PaperSession.open({ config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'synthetic', symbols }, speed: 600, durationMs: 6000, signals: false, watchdog: false });
  await session.run();
  recorder.close();
  return readLogs(logsDir);
}

describe('a restart with settings that leave the bot unable to act says so as it starts', () => {
  it('returns what it wrote, and the watch collects the same warnings from the LOG lines, data.start_warning tagged', async () => {
    const dataDir = join(tempDir('tradetrace-start-watch-'), 'data');
    booksWithBtc(dataDir);
    const logsDir = join(dataDir, 'logs');
    const recorder = new Recorder({ sessionId: 'session_20260102_000000', sink: new FileSink(logsDir) });
    const watch = watchStartWarnings(recorder);
    const store = StateStore.open({ dataDir });
    const books = { positions: store.positions(), quoteBalance: d('0'), quoteCurrency: 'USD', tradedSymbols: ['ETH/USD'], maxOpenPositions: 1 };
    const returned = warnAtStart(recorder, books);
    recorder.emit('LOG', { component: 'startup', message: 'not a start warning' }, { level: 'warn' });
    watch.stop();
    warnAtStart(recorder, books);
    recorder.close();
    store.close();
    expect(returned.map((w) => w.code)).toEqual(['held_not_traded', 'no_quote_balance']);
    expect(watch.warnings.map((w) => [w.code, w.component, w.message])).toEqual(returned.map((w) => [w.code, w.component, w.message]));
    const logged = (await readLogs(logsDir)).lines.flatMap((l) => (l.event_type === 'LOG' && l.level === 'warn' && l.data?.['start_warning'] !== undefined ? [[l.data['start_warning'], l.message]] : []));
    expect(logged.slice(0, 2)).toEqual(returned.map((w) => [w.code, w.message]));
    expect(returned[1]?.message).toBe('the account holds no USD (trading.quote_currency): every buy will be refused (insufficient_balance); trading.starting_quote_balance funds only a new account (a fresh --data-dir)');
  });

  it('names a position in a symbol this session does not trade: no exit can fire on it, and it counts toward max_open_positions', async () => {
    const dataDir = join(tempDir('tradetrace-untraded-'), 'data');
    booksWithBtc(dataDir);
    const logs = await restart(dataDir, [], ['ETH/USDT']);
    const warnings = logs.lines.flatMap((l) => (l.event_type === 'LOG' && l.level === 'warn' && l.component === 'startup' ? [l.message] : []));
    expect(warnings).toEqual([
      'BTC/USDT 0.001 (dec_20260101_000000_000001) is held but not traded this session (ETH/USDT): no bar of it comes, so no exit rule can fire on it, and it counts toward trading.max_open_positions (1); trade BTC/USDT again to manage it',
    ]);
    // And every ETH/USDT decision it blocks names it.
    const blocked = logs.lines.flatMap((l) => (l.event_type === 'BUY_BLOCKED' && l.guard === 'max_open_positions' ? [l.message] : []));
    expect(blocked.length).toBeGreaterThan(0);
    expect(new Set(blocked)).toEqual(new Set(['1 position open (BTC/USDT), the maximum is 1']));
  }, 60_000);

  it('takes the daily loss limit from the capital the account holds, not from starting_quote_balance, which funds only a new account', async () => {
    const dataDir = join(tempDir('tradetrace-loss-base-'), 'data');
    booksWithBtc(dataDir);
    // A starting balance of 0 on an account of 938 USDT: the limit was 0, and every buy was refused by it.
    const logs = await restart(dataDir, ['trading.starting_quote_balance=0', 'trading.max_open_positions=3'], ['BTC/USDT', 'ETH/USDT']);
    expect(logs.lines.filter((l) => l.event_type === 'BUY_BLOCKED' && l['guard'] === 'daily_loss_limit')).toEqual([]);
    expect(logs.lines.filter((l) => l.event_type === 'BUY_ORDER').length).toBeGreaterThan(0);
  }, 60_000);
});
