import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { withDecision } from '../recorder/trace-context.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

const d = (text: string): Decimal => Decimal.parse(text);

// A resting (GTC) stop-loss sell that filled 294 of 1347 writes one SELL_FILLED: trace's headline
// called that one part "position closed by stop_loss ..." while 1053 were still held.
describe('trace of a position one sell sold only part of', () => {
  const dir = tempDir('tt-trace-one-part-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251029_090000', start: new Date('2025-10-29T09:00:00.000Z'), config: BASE_CONFIG });
  const bought = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.1347', quoteBudget: '6100' });
  const sell = (qty: string, pnl: string): void => {
    s.tick(60_000);
    withDecision(bought.decisionId, () => s.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'stop_loss', qty: d(qty), avg_px: d('44000'), entry_px: d('45000'), fee: d('0'), realized_pnl: d(pnl), holding_s: 120 }));
  };

  it('says how much of the position it sold and how much is still held, not that the position closed', async () => {
    sell('0.0294', '-29.4');
    const r = await runQuery(['trace', bought.decisionId, '--data-dir', dir]);
    expect(r.stdout).toContain('; sold 0.0294 of 0.1347 by stop_loss at 44000, realized PnL -29.4, 0.1053 still held\n');
    expect(r.stdout).not.toContain('position closed');
  });

  it('says the position closed when the one sell sold all of it', async () => {
    const wholeDir = tempDir('tt-trace-one-whole-');
    const whole = new SessionWriter({ dataDir: wholeDir, sessionId: 'session_20251029_100000', start: new Date('2025-10-29T10:00:00.000Z'), config: BASE_CONFIG });
    const buy = whole.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.1347', quoteBudget: '6100' });
    whole.tick(60_000);
    withDecision(buy.decisionId, () => whole.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'stop_loss', qty: d('0.13470'), avg_px: d('44000'), entry_px: d('45000'), fee: d('0'), realized_pnl: d('-134.7'), holding_s: 120 }));
    const r = await runQuery(['trace', buy.decisionId, '--data-dir', wholeDir]);
    expect(r.stdout).toContain('; position closed by stop_loss at 44000, realized PnL -134.7\n');
  });
});
