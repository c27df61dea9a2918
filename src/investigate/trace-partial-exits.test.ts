import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { withDecision } from '../recorder/trace-context.js';
import { BASE_CONFIG } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

const d = (text: string): Decimal => Decimal.parse(text);

// An IOC exit on a thin market sells part of the position per bar: one SELL_FILLED each. trace's
// headline took the first for the whole: "position closed ..., realized PnL" of that part alone.
describe('trace of a position sold in several parts', () => {
  const dir = tempDir('tt-trace-parts-');
  const s = new SessionWriter({ dataDir: dir, sessionId: 'session_20251029_080000', start: new Date('2025-10-29T08:00:00.000Z'), config: BASE_CONFIG });
  const bought = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.003', quoteBudget: '135' });
  const sell = (qty: string, px: string, pnl: string): void => {
    s.tick(60_000);
    withDecision(bought.decisionId, () => s.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'stop_loss', qty: d(qty), avg_px: d(px), entry_px: d('45000'), fee: d('0'), realized_pnl: d(pnl), holding_s: 120 }));
  };

  it('sums what the parts sold and realized, and says whether the whole position went', async () => {
    sell('0.001', '44000', '-1');
    sell('0.001', '43900', '-1.1');
    const partly = await runQuery(['trace', bought.decisionId, '--data-dir', dir]);
    expect(partly.stdout).toContain('; position partly sold, 0.002 of 0.003 by stop_loss in 2 sells, the last at 43900, realized PnL -2.1 in all\n');
    sell('0.001', '43800', '-1.2');
    const closed = await runQuery(['trace', bought.decisionId, '--data-dir', dir]);
    expect(closed.stdout).toContain('; position closed by stop_loss in 3 sells, the last at 43800, realized PnL -3.3 in all\n');
  });
});
