import { Decimal } from '../../domain/decimal.js';
import { DashboardModel } from '../dashboard-model.js';

/** A model as the engine would fill it mid-session: one position, a fill, a block, failures, loops. */
export function busyModel(): DashboardModel {
  const d = (text: string): Decimal => Decimal.parse(text);
  const model = new DashboardModel();
  model.setSession('session_20220103_100000', 'paper', 'USDT');
  for (let i = 0; i < 1234; i++) model.countBar();
  model.setPositions([{ symbol: 'BTC/USDT', qty: d('0.01'), entryPx: d('45000'), entryCost: d('450'), entryFees: d('0'), decisionId: 'dec_20220103_100500_00a1b2' }]);
  model.setPrice('BTC/USDT', d('45100'));
  model.setBalances(new Map([['USDT', d('549.55')], ['BTC', d('0.01')]]));
  model.setPnl(new Map([['USDT', d('-3.25')]]), new Map([['USDT', d('0.45')]]));
  model.recordDecision({ decisionId: 'dec_20220103_100400_00a1b1', symbol: 'BTC/USDT', outcome: 'blocked', detail: 'cooldown', at: Date.UTC(2022, 0, 3, 10, 4) });
  model.recordDecision({ decisionId: 'dec_20220103_100500_00a1b2', symbol: 'BTC/USDT', outcome: 'filled', at: Date.UTC(2022, 0, 3, 10, 5) });
  model.recordOrderFailure('timeout_exhausted');
  model.recordOrderFailure('min_notional');
  model.recordOrderFailure('timeout_exhausted');
  model.setLoopSource(() => [
    { name: 'DecisionLoop', alive: true, lastBeatAgeS: 0.2 },
    { name: 'DustSweeper', alive: false, lastBeatAgeS: 95 },
  ]);
  return model;
}
