import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import { Decimal } from '../../domain/decimal.js';
import { parseExposition, valueOf } from '../fixtures/exposition.js';
import { createTradeMetrics, type TradeMetricsOptions } from './trade-metrics.js';

const SESSION = 'session_20251026_100000';
const T0 = Date.parse('2025-10-26T10:00:00.000Z');

/** A recorder whose clock the test moves, writing real files, and a scrape of its metrics. */
function setup(options: TradeMetricsOptions = {}, { tail = false } = {}) {
  const logsDir = join(tempDir('tradetrace-trade-metrics-'), 'logs');
  const clock = { ms: T0 };
  const recorder = new Recorder({ sessionId: SESSION, sink: new FileSink(logsDir), now: () => clock.ms });
  const metrics = createTradeMetrics(recorder, { defaultMetrics: false, now: () => clock.ms, ...(tail ? { logsDir } : {}), ...options });
  const scrape = async () => parseExposition(await metrics.registry.metrics());
  const close = () => {
    metrics.unsubscribe();
    recorder.close();
  };
  return { logsDir, clock, recorder, metrics, scrape, close };
}

const context = (id: string) => ({
  symbol: 'BTC/USDT', side: 'buy' as const, qty: 0.001, limit_px: 45000, quote_budget: 45, notional: 45, tif: 'IOC' as const, slippage_bps: 20,
  min_notional: 5, max_retries: 3, retry_backoff_ms: 400, attempt: 1, attempt_start_ts: T0 / 1000, client_order_id: `${id}-1`,
});
const filled = (id: string) => ({ symbol: 'BTC/USDT', side: 'buy' as const, attempt: 1, client_order_id: `${id}-1`, exchange_order_id: 'x', filled_qty: 0.001, avg_px: 45000, fee: 0.045, fee_currency: 'USDT', partial: false });
const failed = (reason: 'timeout_exhausted' | 'rejected') => ({ symbol: 'BTC/USDT', side: 'buy' as const, reason, message: reason, attempt: 1 });

describe('createTradeMetrics', () => {
  it("starts the session's realized PnL from what restart reconciliation booked before it subscribed, then adds the SELL_FILLED lines", async () => {
    const { recorder, scrape, close } = setup({ quoteCurrency: 'USDT', realizedPnlAtStart: new Map([['USDT', Decimal.parse('0.5828245')]]) });
    expect(valueOf(await scrape(), 'tradetrace_realized_pnl', { currency: 'USDT' })).toBe(0.5828245);
    withDecision('dec_20251026_100000_abcdef', () => {
      recorder.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'stop_loss', qty: 0.001, avg_px: 44000, entry_px: 45000, fee: 0.044, realized_pnl: Decimal.parse('-1.044'), holding_s: 60 });
    });
    expect(valueOf(await scrape(), 'tradetrace_realized_pnl', { currency: 'USDT' })).toBe(-0.4611755);
    close();
    const fresh = setup({ quoteCurrency: 'USDT' });
    expect(valueOf(await fresh.scrape(), 'tradetrace_realized_pnl', { currency: 'USDT' })).toBe(0);
    fresh.close();
  });

  it('keeps realized PnL per quote currency, from the start too: BTC/USDT in USDT, ETH/BTC in BTC, never one sum', async () => {
    // Reconciliation booked an ETH/BTC sell as the session opened: BTC, apart from the session's USDT.
    const { recorder, scrape, close } = setup({ quoteCurrency: 'USDT', realizedPnlAtStart: new Map([['BTC', Decimal.parse('0.0002')]]) });
    let samples = await scrape();
    expect(valueOf(samples, 'tradetrace_realized_pnl', { currency: 'USDT' })).toBe(0);
    expect(valueOf(samples, 'tradetrace_realized_pnl', { currency: 'BTC' })).toBe(0.0002);
    withDecision('dec_20251026_100000_abcdef', () => {
      recorder.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'take_profit', qty: 0.001, avg_px: 46000, entry_px: 45000, fee: 0.046, realized_pnl: Decimal.parse('0.954'), holding_s: 60 });
      recorder.emit('SELL_FILLED', { symbol: 'ETH/BTC', rule: 'stop_loss', qty: 0.1, avg_px: 0.05, entry_px: 0.051, fee: 0.000005, realized_pnl: Decimal.parse('-0.000105'), holding_s: 60 });
    });
    samples = await scrape();
    expect(samples.filter((s) => s.name === 'tradetrace_realized_pnl').map((s) => s.labels)).toEqual([{ currency: 'USDT' }, { currency: 'BTC' }]);
    expect(valueOf(samples, 'tradetrace_realized_pnl', { currency: 'USDT' })).toBe(0.954);
    expect(valueOf(samples, 'tradetrace_realized_pnl', { currency: 'BTC' })).toBe(0.000095);
    close();
  });

  it("sets the config drift from the session's start (CONFIG_DIFF was written before it subscribed)", async () => {
    const early = new Recorder({ sessionId: SESSION, sink: new FileSink(join(tempDir('tradetrace-trade-metrics-'), 'logs')) });
    // The bootstrap's order: CONFIG_HASH and CONFIG_DIFF first, the metrics after.
    early.emit('CONFIG_HASH', { config_hash: 'b2c3d4e5f6a7b8c9', config: {} });
    early.emit('CONFIG_DIFF', { message: 'Config drift detected: a1b2c3d4 -> b2c3d4e5', prev_hash: 'a1b2c3d4e5f6a7b8', current_hash: 'b2c3d4e5f6a7b8c9', prev_session: 'session_20251026_095432', changes: [] });
    const metrics = createTradeMetrics(early, {
      defaultMetrics: false, configHash: 'b2c3d4e5f6a7b8c9',
      configDrift: { prevHash: 'a1b2c3d4e5f6a7b8', currentHash: 'b2c3d4e5f6a7b8c9', prevSession: 'session_20251026_095432' },
    });
    const samples = parseExposition(await metrics.registry.metrics());
    expect(valueOf(samples, 'tradetrace_config_drift_info', { prev_hash: 'a1b2c3d4e5f6a7b8', current_hash: 'b2c3d4e5f6a7b8c9', prev_session: 'session_20251026_095432' })).toBe(1);
    metrics.unsubscribe();
    early.close();
  });

  it("exports the session's heartbeat interval and missing multiple, and says the PnL is this session's", async () => {
    const { scrape, metrics, close } = setup({ heartbeat: { intervalMs: 120_000, missingMultiple: 2.5 } });
    const samples = await scrape();
    expect(valueOf(samples, 'tradetrace_heartbeat_interval_seconds')).toBe(120);
    expect(valueOf(samples, 'tradetrace_heartbeat_missing_multiple')).toBe(2.5);
    expect(await metrics.registry.metrics()).toContain("# HELP tradetrace_realized_pnl this session's realized PnL");
    close();
  });

  describe('a heartbeat that came late (the whole process stood still) does not report loops dead', () => {
    const beat = (rec: Recorder, loops: Record<string, boolean>) => rec.emit('SHUTDOWN_HEARTBEAT', {
      registered_components: [], recent_heartbeats: [], last_heartbeat_age_s: 0, shutdown_requested: false, event_loop_blocked_ms: 0, trigger: 'interval', stats: {},
      registered_threads: Object.entries(loops).map(([name, alive]) => ({ name, alive, daemon: false, last_beat_age_s: alive ? 0.5 : 40, period_s: 1 })),
    });

    it('keeps the gauges of a late heartbeat\'s alive:false loops; the next punctual heartbeat tells the truth', async () => {
      // As in the bot: the watchdog thread writes the heartbeats through its own recorder, read back from system.jsonl.
      const { logsDir, scrape, close } = setup({ heartbeat: { intervalMs: 1000, missingMultiple: 3 } }, { tail: true });
      const watchdogClock = { ms: T0 };
      const watchdog = new Recorder({ sessionId: SESSION, sink: new FileSink(logsDir), now: () => watchdogClock.ms });
      const loopAlive = async (loop: string) => valueOf(await scrape(), 'tradetrace_loop_alive', { loop });

      beat(watchdog, { DecisionLoop: true, MarketDataLoop: true });
      watchdogClock.ms += 1000;
      beat(watchdog, { DecisionLoop: true, MarketDataLoop: true });
      expect(await loopAlive('DecisionLoop')).toBe(1);
      // SIGSTOP for 40 s: the first heartbeat after it judges the loops by their beats from before.
      watchdogClock.ms += 40_000;
      beat(watchdog, { DecisionLoop: false, MarketDataLoop: false });
      expect(await loopAlive('DecisionLoop')).toBe(1);
      expect(await loopAlive('MarketDataLoop')).toBe(1);
      // One interval later: the loops beat again, except one that is really stuck.
      watchdogClock.ms += 1000;
      beat(watchdog, { DecisionLoop: true, MarketDataLoop: false });
      expect(await loopAlive('DecisionLoop')).toBe(1);
      expect(await loopAlive('MarketDataLoop')).toBe(0);
      // A late heartbeat keeps a 0 it cannot judge too, and an alive:true is always believed.
      watchdogClock.ms += 40_000;
      beat(watchdog, { DecisionLoop: false, MarketDataLoop: true });
      expect(await loopAlive('DecisionLoop')).toBe(1);
      expect(await loopAlive('MarketDataLoop')).toBe(1);
      watchdog.close();
      close();
    });

    it('without the interval (no config given) every heartbeat is taken as written', async () => {
      const { logsDir, scrape, close } = setup({}, { tail: true });
      const watchdogClock = { ms: T0 };
      const watchdog = new Recorder({ sessionId: SESSION, sink: new FileSink(logsDir), now: () => watchdogClock.ms });
      beat(watchdog, { DecisionLoop: true });
      watchdogClock.ms += 40_000;
      beat(watchdog, { DecisionLoop: false });
      expect(valueOf(await scrape(), 'tradetrace_loop_alive', { loop: 'DecisionLoop' })).toBe(0);
      watchdog.close();
      close();
    });
  });

  it('counts a timeout_exhausted intent found filled later, once, and holds a fresh timeout as awaiting for 90 s', async () => {
    const { clock, recorder, scrape, close } = setup();
    const awaiting = async () => valueOf(await scrape(), 'tradetrace_order_timeouts_awaiting_fill');
    const lateFills = async () => valueOf(await scrape(), 'tradetrace_order_late_fills_total');
    const intent = (id: string, body: () => void) => withIntent(id, body);

    expect(await awaiting()).toBe(0);
    expect(await lateFills()).toBe(0);
    intent('int_00000000000000a1', () => {
      recorder.emit('ORDER_CONTEXT', context('a1'));
      recorder.emit('ORDER_FAILED', failed('timeout_exhausted'));
    });
    clock.ms += 30_000;
    intent('int_00000000000000a2', () => {
      recorder.emit('ORDER_CONTEXT', context('a2'));
      recorder.emit('ORDER_FAILED', failed('timeout_exhausted'));
    });
    // A rejected order is final: a fill under its intent (there is none in practice) is no late fill.
    intent('int_00000000000000a3', () => {
      recorder.emit('ORDER_CONTEXT', context('a3'));
      recorder.emit('ORDER_FAILED', failed('rejected'));
      recorder.emit('ORDER_FILLED', filled('a3'));
    });
    // An ordinary fill is no late fill either.
    intent('int_00000000000000a4', () => {
      recorder.emit('ORDER_CONTEXT', context('a4'));
      recorder.emit('ORDER_FILLED', filled('a4'));
    });
    expect(await awaiting()).toBe(2);
    expect(await lateFills()).toBe(0);

    // The order watcher finds a1 filled within its grace: no longer awaiting, a late fill.
    clock.ms += 30_000;
    intent('int_00000000000000a1', () => recorder.emit('ORDER_FILLED', filled('a1')));
    expect(await awaiting()).toBe(1);
    expect(await lateFills()).toBe(1);
    // 89 s after a2's failure it still awaits; 90 s after, its grace is over and it counts as the failure it is.
    clock.ms += 59_000;
    expect(await awaiting()).toBe(1);
    clock.ms += 1_000;
    expect(await awaiting()).toBe(0);
    // Found filled after its grace: still a late fill (the log rule turns it into a success too); a second ORDER_FILLED is not counted again.
    intent('int_00000000000000a2', () => recorder.emit('ORDER_FILLED', filled('a2')));
    intent('int_00000000000000a2', () => recorder.emit('ORDER_FILLED', filled('a2')));
    expect(await lateFills()).toBe(2);
    const samples = await scrape();
    expect(valueOf(samples, 'tradetrace_orders_total', { outcome: 'failed', reason: 'timeout_exhausted' })).toBe(2);
    // Every ORDER_FILLED is still a fill as the flight record has it.
    expect(valueOf(samples, 'tradetrace_fills_total', { side: 'buy', partial: 'false' })).toBe(5);
    close();
  });

  it('counts a resting GTC order filled once, however many look-ups reported more of it filled', async () => {
    const { recorder, scrape, close } = setup();
    withIntent('int_00000000000000c1', () => {
      recorder.emit('ORDER_CONTEXT', context('c1'));
      for (const [qty, partial] of [[0.0003, true], [0.0007, true], [0.001, false]] as const) recorder.emit('ORDER_FILLED', { ...filled('c1'), filled_qty: qty, partial });
    });
    withIntent('int_00000000000000c2', () => {
      recorder.emit('ORDER_CONTEXT', context('c2'));
      recorder.emit('ORDER_FILLED', filled('c2'));
    });
    const samples = await scrape();
    expect(valueOf(samples, 'tradetrace_orders_total', { outcome: 'filled', reason: '' })).toBe(2);
    expect(valueOf(samples, 'tradetrace_fills_total', { side: 'buy', partial: 'true' })).toBe(2);
    expect(valueOf(samples, 'tradetrace_fills_total', { side: 'buy', partial: 'false' })).toBe(2);
    close();
  });

  it('forgets a timeout once it has left the 15-minute window: its late fill then lowers no rate', async () => {
    const { clock, recorder, scrape, close } = setup();
    withIntent('int_00000000000000b1', () => {
      recorder.emit('ORDER_CONTEXT', context('b1'));
      recorder.emit('ORDER_FAILED', failed('timeout_exhausted'));
    });
    clock.ms += 16 * 60_000;
    withIntent('int_00000000000000b1', () => recorder.emit('ORDER_FILLED', filled('b1')));
    expect(valueOf(await scrape(), 'tradetrace_order_late_fills_total')).toBe(0);
    close();
  });
});
