import { SessionWriter, configHash, type ThreadState } from './session-writer.js';

/**
 * The incident classes of the runbook, each written as the bot would log it, with the facts a
 * correct investigation must find. Every writer takes a fresh data directory.
 */
export const INCIDENT_KINDS = ['no_trades', 'order_failures', 'hung_bot', 'config_drift', 'dead_bot', 'unexpected_dash'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const BASE_CONFIG: Record<string, unknown> = {
  exchange: { name: 'binance', api_key: '[REDACTED]' },
  trading: { symbols: ['BTC/USDT', 'ETH/USDT'], max_open_positions: 3 },
  execution: { quote_budget: '45', slippage_bps: 20, tif: 'IOC', max_retries: 3 },
  exits: { take_profit_pct: '1.5', stop_loss_pct: '1' },
};

// Guard lines as src/strategy/guards/buy-guards.ts writes them (investigate may not import strategy).
const MAX_OPEN_MESSAGE = '3 positions open, the maximum is 3';

const LOOPS = ['DecisionLoop', 'MarketDataLoop', 'DashboardLoop'];
const allAlive = (): ThreadState[] => LOOPS.map((name) => ({ name, alive: true, lastBeatAgeS: 1.5 }));

function session(dataDir: string, sessionId: string, start: string, extra: Partial<ConstructorParameters<typeof SessionWriter>[0]> = {}): SessionWriter {
  return new SessionWriter({ dataDir, sessionId, start: new Date(start), config: BASE_CONFIG, ...extra });
}

/** Decisions all blocked or without signal: the bot runs but never buys. */
export function writeNoTrades(dataDir: string) {
  const s = session(dataDir, 'session_20251026_100000', '2025-10-26T10:00:00.000Z');
  s.heartbeat(allAlive());
  const maxOpen: string[] = [];
  const balance: string[] = [];
  for (let i = 0; i < 4; i++) {
    s.tick(60_000);
    maxOpen.push(s.blocked('BTC/USDT', 'max_open_positions', 3, 3, MAX_OPEN_MESSAGE));
    if (i < 2) balance.push(s.blocked('ETH/USDT', 'insufficient_balance', '4.2', '5', 'free quote balance 4.2 is below the minimum order value 5'));
  }
  s.tick(60_000);
  const volatility = s.blocked('BTC/USDT', 'volatility', 3.4127, 3, 'ATR is 3.413% of price, above the 3% maximum');
  const noSignal = [s.noSignal('BTC/USDT', '45010'), s.noSignal('ETH/USDT', '2500'), s.noSignal('BTC/USDT', '45020')];
  s.tick(30_000).heartbeat(allAlive());
  s.tick(1000).end('signal', 0);
  return { sessionId: s.sessionId, maxOpen, balance, volatility, noSignal, decisions: 10 };
}

/** Orders that fail: min_notional, retries exhausted, balance; one success with its exit. */
export function writeOrderFailures(dataDir: string) {
  const s = session(dataDir, 'session_20251026_110000', '2025-10-26T11:00:00.000Z');
  s.heartbeat(allAlive());
  const filled = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45', retries: [{ retry: 'timeout', message: 'request timed out after 5000ms' }, { retry: 'rate_limited', message: 'HTTP 429 Too Many Requests' }] });
  const minNotional = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2500', qty: '0.001', quoteBudget: '2.5', failure: { reason: 'min_notional', message: 'attempt 1: notional_below_min: notional 2.5025 below min_notional 5' } });
  const exhausted = s.tick(60_000).buy({
    symbol: 'BTC/USDT', price: '45100', qty: '0.001', quoteBudget: '45',
    retries: [{ retry: 'timeout', message: 'request timed out after 5000ms' }, { retry: 'timeout', message: 'request timed out after 5000ms' }, { retry: 'timeout', message: 'request timed out after 5000ms' }],
    failure: { reason: 'timeout_exhausted', message: 'gave up after 4 attempts; last: timeout: request timed out after 5000ms' },
  });
  const balance = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2510', qty: '0.02', quoteBudget: '50.2', failure: { reason: 'insufficient_balance', message: 'attempt 1: insufficient_balance: insufficient balance: order needs 50.3004 USDT, free 12.5' } });
  const minNotional2 = s.tick(60_000).buy({ symbol: 'ETH/USDT', price: '2490', qty: '0.001', quoteBudget: '2.49', failure: { reason: 'min_notional', message: 'attempt 1: notional_below_min: notional 2.4949 below min_notional 5' } });
  s.exit(filled.decisionId, 'BTC/USDT', '45000', '45500', '0.001', 1800);
  s.tick(1000).end('signal', 0);
  return { sessionId: s.sessionId, filled, minNotional, exhausted, balance, minNotional2 };
}

/** Heartbeats show DecisionLoop stalling, then stop; no SESSION_END. */
export function writeHungBot(dataDir: string) {
  const s = session(dataDir, 'session_20251026_120000', '2025-10-26T12:00:00.000Z');
  for (let i = 0; i < 4; i++) {
    s.heartbeat(allAlive());
    s.tick(10_000).noSignal('BTC/USDT', '45000');
    s.tick(20_000);
  }
  const firstDeadMs = s.now.getTime();
  const ages = [35, 65, 95];
  for (const age of ages) {
    s.heartbeat([{ name: 'DecisionLoop', alive: false, lastBeatAgeS: age }, { name: 'MarketDataLoop', alive: true, lastBeatAgeS: 1.5 }, { name: 'DashboardLoop', alive: true, lastBeatAgeS: 2 }]);
    s.tick(30_000);
  }
  const lastHeartbeat = new Date(s.now.getTime() - 30_000).toISOString();
  s.abandon();
  return { sessionId: s.sessionId, lastHeartbeat, stoppedLoop: 'DecisionLoop', lastBeat: new Date(firstDeadMs - 35_000).toISOString(), firstDeadHeartbeat: new Date(firstDeadMs).toISOString() };
}

/** Two sessions with different configs: CONFIG_DIFF at the second start. */
export function writeConfigDrift(dataDir: string) {
  const first = session(dataDir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z');
  first.tick(60_000).noSignal('BTC/USDT', '44900');
  first.tick(1000).end('signal', 0);
  const changed: Record<string, unknown> = {
    ...BASE_CONFIG,
    trading: { symbols: ['BTC/USDT', 'ETH/USDT'], max_open_positions: 5 },
    execution: { quote_budget: '45', slippage_bps: 50, tif: 'IOC', max_retries: 3 },
    // A key the previous session's config did not have (written by an older version).
    exits: { take_profit_pct: '1.5', stop_loss_pct: '1', trailing_stop_pct: '0.5' },
  };
  const second = session(dataDir, 'session_20251026_100000', '2025-10-26T10:00:00.000Z', { config: changed, previous: { sessionId: first.sessionId, config: BASE_CONFIG } });
  second.tick(60_000).noSignal('BTC/USDT', '45000');
  second.tick(1000).end('signal', 0);
  return {
    first: first.sessionId, second: second.sessionId, prevHash: configHash(BASE_CONFIG), currentHash: configHash(changed),
    changes: [
      { path: 'execution.slippage_bps', from: 20, to: 50 },
      { path: 'exits.trailing_stop_pct', from: null, to: '0.5' },
      { path: 'trading.max_open_positions', from: 3, to: 5 },
    ],
  };
}

/** SIGKILL mid-write: the last decisions line is torn, no SESSION_END, no manifest end. */
export function writeDeadBot(dataDir: string) {
  const s = session(dataDir, 'session_20251026_130000', '2025-10-26T13:00:00.000Z');
  s.heartbeat(allAlive());
  const blocked = s.tick(30_000).blocked('BTC/USDT', 'max_open_positions', 3, 3, MAX_OPEN_MESSAGE);
  s.tick(30_000).heartbeat(allAlive());
  const last = s.tick(5_000).noSignal('ETH/USDT', '2500');
  const lastLineTs = s.now.toISOString();
  const torn = `{"ts":"${new Date(s.now.getTime() + 4000).toISOString()}","level":"info","event_type":"DECISION_START","session_id":"${s.sessionId}","seq":99,"decision_id":"dec_20251026_130109_0`;
  s.kill('decisions', torn);
  // decisions.jsonl: 3 lines for the blocked decision, 2 for the no-signal one, then the torn one.
  return { sessionId: s.sessionId, blocked, last, lastLineTs, tornLine: 6, tornExcerpt: torn.slice(0, 40) };
}

/** A BUY_FILLED notification nobody expected: one from the buy path, one from a replay tool. */
export function writeUnexpectedDash(dataDir: string) {
  const s = session(dataDir, 'session_20251026_140000', '2025-10-26T14:00:00.000Z');
  const filled = s.tick(60_000).buy({ symbol: 'BTC/USDT', price: '45000', qty: '0.001', quoteBudget: '45' });
  s.tick(120_000).dash('BUY_FILLED', 'BTC/USDT @ $44000.00', 'src/ui/replay-panel.ts:57');
  s.tick(60_000).dash('DATA_STALE', 'ETH/USDT feed stale for 90s', 'src/market-data/feed-watch.ts:31');
  s.tick(1000).end('signal', 0);
  return { sessionId: s.sessionId, filled, straySource: 'src/ui/replay-panel.ts:57', buySource: 'src/engine/buy-decision.ts:212' };
}

export const INCIDENT_WRITERS: Record<IncidentKind, (dataDir: string) => unknown> = {
  no_trades: writeNoTrades,
  order_failures: writeOrderFailures,
  hung_bot: writeHungBot,
  config_drift: writeConfigDrift,
  dead_bot: writeDeadBot,
  unexpected_dash: writeUnexpectedDash,
};

/**
 * A bot still running on this host (its pid is `runningPid`), then a second start on the same data
 * dir refused because the first holds it; then, in another data dir, a bot whose pid is gone.
 */
export function writeRefusedWhileRunning(dataDir: string, runningPid: number, host: string) {
  const running = session(dataDir, 'session_20251026_130000', '2025-10-26T13:00:00.000Z', { process: { pid: runningPid, host } });
  running.heartbeat(allAlive());
  running.tick(10_000).noSignal('BTC/USDT', '45000');
  const refused = session(dataDir, 'session_20251026_130100', '2025-10-26T13:01:00.000Z', { process: { pid: runningPid + 1, host } });
  const message = `state database ${dataDir}/state.sqlite is held by another process (SQLITE_BUSY); is another session running on this data directory?`;
  refused.tick(200).refuse('open_failed', message);
  running.tick(60_000).noSignal('BTC/USDT', '45010');
  running.abandon();
  return { running: running.sessionId, refused: refused.sessionId, message };
}

/** A drift whose session was refused (another bot held the data dir), then the same config run for real. */
export function writeRefusedDrift(dataDir: string) {
  const changed: Record<string, unknown> = { ...BASE_CONFIG, execution: { quote_budget: '45', slippage_bps: 30, tif: 'IOC', max_retries: 3 } };
  const first = session(dataDir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z');
  first.tick(1000).end('signal', 0);
  const previous = { sessionId: first.sessionId, config: BASE_CONFIG };
  const refused = session(dataDir, 'session_20251026_100000', '2025-10-26T10:00:00.000Z', { config: changed, previous });
  refused.tick(200).refuse('open_failed', 'state database held by another process (SQLITE_BUSY)');
  // The bot compares the next session with the last one that traded: the first, not the refused one.
  const third = session(dataDir, 'session_20251026_110000', '2025-10-26T11:00:00.000Z', { config: changed, previous });
  third.tick(1000).end('signal', 0);
  return { first: first.sessionId, refused: refused.sessionId, third: third.sessionId };
}
