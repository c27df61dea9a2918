import type { EngineObserver } from '../../engine/engine-stats.js';
import type { PaperSession } from '../../engine/paper-session.js';
import type { DashboardModel } from '../../ui/dashboard-model.js';

/**
 * What the engine tells the live dashboard: every bar, decision, failure and portfolio change goes
 * to the model. The session is asked for lazily: the observer is handed to PaperSession.open,
 * before there is a session to read prices and positions from.
 */
export function dashboardObserver(model: DashboardModel, session: () => PaperSession | undefined): EngineObserver {
  return {
    onBar: (symbol) => {
      model.countBar();
      const px = session()?.portfolio.lastPrice(symbol);
      if (px) model.setPrice(symbol, px);
    },
    onDecision: (note) => model.recordDecision({ decisionId: note.decisionId, symbol: note.symbol, outcome: note.outcome, detail: note.detail, at: note.at }),
    onOrderFailed: (reason) => model.recordOrderFailure(reason),
    onPortfolioChanged: () => {
      const current = session();
      if (!current) return;
      const view = current.portfolio.view();
      model.setPositions(view.positions);
      model.setBalances(view.balances);
      model.setPnl(view.realizedPnl, view.feesPaid);
    },
  };
}
