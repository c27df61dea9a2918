import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/schema.js';
import { Decimal } from '../../domain/decimal.js';
import { newDecisionId, newIntentId } from '../../domain/ids.js';
import type { Recorder } from '../../recorder/recorder.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import { parseFlags } from '../../investigate/cli/parse-flags.js';
import type { CliIo } from '../command.js';
import { CONFIG_FLAG_OPTIONS, CONFIG_FLAGS_HELP, startSession } from '../session-bootstrap.js';
import { sessionFailure } from '../../recorder/sessions/session-failure.js';
import { defaultStartPrice } from '../../market-data/index.js';
import { SHUTDOWN_SIGNALS } from '../../runtime/shutdown-coordinator.js';

const HELP = `usage: tradetrace demo [options]

A short session (about a second) that exercises the flight recorder with no exchange and no market
data: two decisions (one with an order intent on a simulated fill, which sessions and orders count
as a fill), a heartbeat-like LOG, then SESSION_END.
With trading.global_trading=false the buy is blocked by that guard instead.

options:
${CONFIG_FLAGS_HELP}  --symbol SYMBOL      market to decide on (maps onto trading.symbols)
  -h, --help           this text
`;

const STEP_MS = 120;
/** Where the demo's market stands: the synthetic feed's start price of the symbol (BTC 40000, ETH 2500, others 100), so an ETH demo does not fill at a BTC price. */
const referencePrice = (symbol: string): Decimal => Decimal.parse(defaultStartPrice(symbol));
const TICK = Decimal.parse('0.01');
const LOT = Decimal.parse('0.00001');
const MIN_NOTIONAL = Decimal.parse('5');
const BPS = Decimal.parse('10000');

/** A decision the strategy passes on: the short chain DECISION_START -> DECISION_END(no_signal). */
async function quietDecision(recorder: Recorder, symbol: string): Promise<void> {
  const started = Date.now();
  await withDecision(newDecisionId(), async () => {
    recorder.emit('DECISION_START', { symbol, bar_ts: new Date(started - 60_000).toISOString(), price: referencePrice(symbol), strategy: 'ema_rsi' });
    await sleep(STEP_MS);
    recorder.emit('DECISION_END', { symbol, outcome: 'no_signal', duration_ms: Date.now() - started, reason: 'fast EMA below slow EMA' });
  });
}

/** A decision that buys on a simulated exchange, or is blocked when global trading is off. */
async function buyDecision(recorder: Recorder, config: Config, symbol: string): Promise<'filled' | 'blocked' | 'failed'> {
  const started = Date.now();
  return withDecision(newDecisionId(), async () => {
    // A bar a little above the quiet one, as a cross up would come.
    const reference = referencePrice(symbol);
    const price = reference.add(reference.div(Decimal.from(3600), 2));
    recorder.emit('DECISION_START', { symbol, bar_ts: new Date(started).toISOString(), price, strategy: config.strategy.name });
    if (!config.trading.global_trading) {
      recorder.emit('BUY_BLOCKED', { symbol, guard: 'global_trading', observed: false, threshold: true, message: 'global trading is off (trading.global_trading=false)' });
      recorder.emit('DECISION_END', { symbol, outcome: 'blocked', duration_ms: Date.now() - started, reason: 'global_trading' });
      return 'blocked';
    }
    recorder.emit('BUY_TRIGGERED', { symbol, signal: 'ema_cross_up', price, indicators: { ema_fast: reference.mul(Decimal.parse('1.00013')).round(2, 'half_even').toNumber(), ema_slow: reference.mul(Decimal.parse('0.99997')).round(2, 'half_even').toNumber(), rsi: 58.2 } });
    await sleep(STEP_MS);
    const { execution } = config;
    const limitPx = price.mul(BPS.add(Decimal.from(execution.slippage_bps))).div(BPS).quantize(TICK, 'up');
    const qty = execution.quote_budget.div(limitPx).quantize(LOT, 'down');
    const notional = qty.mul(limitPx);
    recorder.emit('BUY_CANDIDATE', { symbol, quote_budget: execution.quote_budget, qty, limit_px: limitPx, ref_px: price, notional });
    const intentId = newIntentId();
    return withIntent(intentId, async () => {
      recorder.emit('BUY_ORDER', { symbol, side: 'buy', qty, limit_px: limitPx, quote_budget: execution.quote_budget, tif: execution.tif });
      const clientOrderId = `${intentId}_a1`;
      recorder.emit('ORDER_CONTEXT', {
        symbol, side: 'buy', qty, limit_px: limitPx, quote_budget: execution.quote_budget, notional, tif: execution.tif,
        slippage_bps: execution.slippage_bps, min_notional: MIN_NOTIONAL, max_retries: execution.max_retries,
        retry_backoff_ms: execution.retry_backoff_ms, attempt: 1, attempt_start_ts: Date.now() / 1000, client_order_id: clientOrderId,
      });
      if (notional.lt(MIN_NOTIONAL)) {
        recorder.emit('ORDER_FAILED', { symbol, side: 'buy', reason: 'min_notional', message: `notional ${notional.toString()} is below the minimum ${MIN_NOTIONAL.toString()}`, attempt: 1 });
        recorder.emit('DECISION_END', { symbol, outcome: 'failed', duration_ms: Date.now() - started, reason: 'min_notional' });
        return 'failed';
      }
      await sleep(STEP_MS);
      const exchangeOrderId = `demo_${Date.now().toString(36)}`;
      recorder.emit('ORDER_SUBMITTED', { symbol, side: 'buy', attempt: 1, client_order_id: clientOrderId, exchange_order_id: exchangeOrderId, status: 'open' });
      const fee = qty.mul(price).mul(Decimal.from(config.paper_exchange.taker_fee_bps)).div(BPS).round(8, 'up');
      const fill = { qty, avg_px: price, fee, fee_currency: config.trading.quote_currency, partial: false };
      recorder.emit('ORDER_FILLED', { symbol, side: 'buy', attempt: 1, client_order_id: clientOrderId, exchange_order_id: exchangeOrderId, filled_qty: qty, avg_px: price, fee, fee_currency: fill.fee_currency, partial: false });
      recorder.emit('BUY_FILLED', { symbol, ...fill, notional: qty.mul(price) });
      recorder.emit('DECISION_END', { symbol, outcome: 'filled', duration_ms: Date.now() - started });
      return 'filled';
    });
  });
}

export async function run(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags({ args: [...args], options: { ...CONFIG_FLAG_OPTIONS, symbol: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    io.stderr.write(`tradetrace demo: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const started = await startSession({
    mode: 'demo',
    argv: ['demo', ...args],
    io,
    flags: { config: values.config, set: values.set, dataDir: values['data-dir'], mapped: values.symbol === undefined ? [] : [{ path: 'trading.symbols', value: values.symbol, flag: '--symbol' }] },
  });
  if (!started.ok) return started.exitCode;
  const session = started.value;
  const { recorder, config } = session;
  const symbol = config.trading.symbols[0] ?? 'BTC/USDT';
  let stopSignal: NodeJS.Signals | undefined = session.takeOverSignals();
  const onSignal = (signal: NodeJS.Signals): void => {
    stopSignal = signal;
  };
  // Every shutdown signal paper stops on: a closed terminal (SIGHUP) or Ctrl-\ (SIGQUIT) too.
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, onSignal);
  try {
    recorder.emit('LOG', { component: 'demo', message: `demo session on ${symbol}`, data: { symbols: config.trading.symbols, global_trading: config.trading.global_trading } });
    await quietDecision(recorder, symbol);
    const outcome = stopSignal ? 'skipped' : await buyDecision(recorder, config, symbol);
    recorder.emit('LOG', { component: 'demo', message: 'heartbeat', data: { beats: 1, alive: ['demo'] } });
    await sleep(STEP_MS);
    const reason = stopSignal ? 'signal' : 'completed';
    const code = session.endSession(reason, stopSignal ? 130 : 0, { decisions: 2, buy_outcome: outcome });
    if (code === 0) {
      io.stdout.write(`demo session ${session.sessionId}: buy ${outcome}; config ${session.configHash}${session.drift ? ` (changed since ${session.drift.previous.sessionId}: ${session.drift.changes.map((c) => c.path).join(', ') || 'see CONFIG_DIFF'})` : ''}\nlogs: ${session.paths.logsDir}\n`);
    }
    return code;
  } catch (error) {
    io.stderr.write(`tradetrace demo: ${(error as Error).message}\n`);
    return session.endSession('error', 1, undefined, sessionFailure(error));
  } finally {
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  }
}
