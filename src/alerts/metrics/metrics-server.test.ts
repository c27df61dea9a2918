import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';
import { parseExposition, valueOf } from '../fixtures/exposition.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

const SESSION = 'session_20251026_100000';
let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function bot(): Recorder {
  return new Recorder({ sessionId: SESSION, sink: new FileSink(join(tempDir('tradetrace-metrics-'), 'logs')), now: () => Date.parse('2025-10-26T10:00:00.000Z') });
}

const context = (attempt: number) => ({
  symbol: 'BTC/USDT', side: 'buy' as const, qty: 0.001, limit_px: 45000, quote_budget: 45, notional: 45, tif: 'IOC' as const, slippage_bps: 20,
  min_notional: 5, max_retries: 3, retry_backoff_ms: 400, attempt, attempt_start_ts: 1761472800, client_order_id: `c${attempt}`,
});

async function scrape(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('startMetricsServer: /metrics over real HTTP, fed by the recorder', () => {
  it('counts what the recorder wrote, exposes the config hash and heartbeat, plus Node default metrics', async () => {
    const recorder = bot();
    const started = Date.now() / 1000;
    server = await startMetricsServer({ recorder, port: 0 });
    expect(server.host).toBe('127.0.0.1');
    // Before the first heartbeat (one interval after the start), the start: 0 made the stale
    // heartbeat rule (time() - heartbeat > deadline) page a hung bot on every start.
    const early = valueOf(parseExposition((await scrape(server.url)).text), 'tradetrace_last_heartbeat_timestamp_seconds');
    expect(early).toBeGreaterThanOrEqual(Math.floor(started));
    expect(early).toBeLessThanOrEqual(Date.now() / 1000);

    recorder.emit('CONFIG_HASH', { config_hash: 'a1b2c3d4e5f6a7b8', config: {} });
    recorder.emit('SHUTDOWN_HEARTBEAT', {
      registered_components: [], recent_heartbeats: [], last_heartbeat_age_s: 0, shutdown_requested: false, event_loop_blocked_ms: 250, trigger: 'interval', stats: {},
      registered_threads: [{ name: 'DecisionLoop', alive: true, daemon: false, last_beat_age_s: 1, period_s: 1 }, { name: 'MarketData', alive: false, daemon: true, last_beat_age_s: 90, period_s: 5 }],
    });
    for (const outcome of ['blocked', 'blocked', 'filled', 'no_signal'] as const) {
      withDecision('dec_20251026_100000_000001', () => recorder.emit('DECISION_END', { symbol: 'BTC/USDT', outcome, duration_ms: 1 }));
    }
    withIntent('int_0000000000000001', () => {
      recorder.emit('ORDER_CONTEXT', context(1));
      recorder.emit('ORDER_RETRY', { symbol: 'BTC/USDT', attempt: 1, next_attempt: 2, reason: 'timeout', message: 't', backoff_ms: 400 });
      recorder.emit('ORDER_CONTEXT', context(2));
      recorder.emit('ORDER_FILLED', { symbol: 'BTC/USDT', side: 'buy', attempt: 2, client_order_id: 'c2', exchange_order_id: 'x', filled_qty: 0.001, avg_px: 45000, fee: 0.045, fee_currency: 'USDT', partial: false });
    });
    for (const id of ['int_0000000000000002', 'int_0000000000000003']) {
      withIntent(id, () => {
        recorder.emit('ORDER_CONTEXT', context(1));
        recorder.emit('ORDER_FAILED', { symbol: 'BTC/USDT', side: 'buy', reason: 'min_notional', message: 'too small', attempt: 1 });
      });
    }
    withDecision('dec_20251026_100000_000001', () => {
      recorder.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'take_profit', qty: 0.001, avg_px: 46000, entry_px: 45000, fee: 0.046, realized_pnl: Decimal.parse('0.954'), holding_s: 60 });
      recorder.emit('SELL_FILLED', { symbol: 'BTC/USDT', rule: 'stop_loss', qty: 0.001, avg_px: 44000, entry_px: 45000, fee: 0.044, realized_pnl: Decimal.parse('-1.044'), holding_s: 60 });
    });

    const { status, type, text } = await scrape(server.url);
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    const samples = parseExposition(text);
    expect(valueOf(samples, 'tradetrace_config_info', { config_hash: 'a1b2c3d4e5f6a7b8', session_id: SESSION })).toBe(1);
    expect(valueOf(samples, 'tradetrace_last_heartbeat_timestamp_seconds')).toBe(Date.parse('2025-10-26T10:00:00.000Z') / 1000);
    expect(valueOf(samples, 'tradetrace_heartbeats_total')).toBe(1);
    expect(valueOf(samples, 'tradetrace_event_loop_blocked_seconds')).toBe(0.25);
    expect(valueOf(samples, 'tradetrace_loop_alive', { loop: 'DecisionLoop' })).toBe(1);
    expect(valueOf(samples, 'tradetrace_loop_alive', { loop: 'MarketData' })).toBe(0);
    expect(valueOf(samples, 'tradetrace_decisions_total', { outcome: 'blocked' })).toBe(2);
    expect(valueOf(samples, 'tradetrace_decisions_total', { outcome: 'filled' })).toBe(1);
    expect(valueOf(samples, 'tradetrace_order_intents_total')).toBe(3);
    expect(valueOf(samples, 'tradetrace_order_attempts_total')).toBe(4);
    expect(valueOf(samples, 'tradetrace_orders_total', { outcome: 'failed', reason: 'min_notional' })).toBe(2);
    expect(valueOf(samples, 'tradetrace_orders_total', { outcome: 'retry', reason: 'timeout' })).toBe(1);
    expect(valueOf(samples, 'tradetrace_orders_total', { outcome: 'filled', reason: '' })).toBe(1);
    expect(valueOf(samples, 'tradetrace_fills_total', { side: 'buy', partial: 'false' })).toBe(1);
    // 0.954 - 1.044, summed as decimals: exactly -0.09, not -0.09000000000000008.
    expect(valueOf(samples, 'tradetrace_realized_pnl', { currency: 'USDT' })).toBe(-0.09);
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes' || s.name === 'nodejs_heap_size_used_bytes')).toBe(true);

    // A new config (next session's hash) replaces the info series instead of adding one.
    recorder.emit('CONFIG_HASH', { config_hash: 'ffffffffffffffff', config: {} });
    recorder.emit('CONFIG_DIFF', { message: 'Config drift detected', prev_hash: 'a1b2c3d4e5f6a7b8', current_hash: 'ffffffffffffffff', prev_session: 'session_20251025_100000', changes: [] });
    const after = parseExposition((await scrape(server.url)).text);
    expect(after.filter((s) => s.name === 'tradetrace_config_info').map((s) => s.labels['config_hash'])).toEqual(['ffffffffffffffff']);
    expect(valueOf(after, 'tradetrace_config_drift_info', { prev_hash: 'a1b2c3d4e5f6a7b8', current_hash: 'ffffffffffffffff', prev_session: 'session_20251025_100000' })).toBe(1);
    recorder.close();
  });

  it('takes the config hash at start and reads the heartbeats another recorder (the watchdog thread) wrote to system.jsonl', async () => {
    const logsDir = join(tempDir('tradetrace-metrics-'), 'logs');
    const sink = new FileSink(logsDir);
    const recorder = new Recorder({ sessionId: SESSION, sink });
    // CONFIG_HASH was written before the server existed, as the session bootstrap does.
    recorder.emit('CONFIG_HASH', { config_hash: 'a1b2c3d4e5f6a7b8', config: {} });
    server = await startMetricsServer({ recorder, port: 0, defaultMetrics: false, configHash: 'a1b2c3d4e5f6a7b8', logsDir });
    const before = parseExposition((await scrape(server.url)).text);
    expect(valueOf(before, 'tradetrace_config_info', { config_hash: 'a1b2c3d4e5f6a7b8', session_id: SESSION })).toBe(1);
    expect(valueOf(before, 'tradetrace_heartbeats_total')).toBe(0);

    const beat = (rec: Recorder, alive: boolean) => rec.emit('SHUTDOWN_HEARTBEAT', {
      registered_components: [], recent_heartbeats: [], last_heartbeat_age_s: 0, shutdown_requested: false, event_loop_blocked_ms: 0, trigger: 'interval', stats: {},
      registered_threads: [{ name: 'DecisionLoop', alive, daemon: false, last_beat_age_s: 1, period_s: 1 }],
    });
    const watchdogSink = new FileSink(logsDir);
    const watchdog = new Recorder({ sessionId: SESSION, sink: watchdogSink, now: () => Date.parse('2025-10-26T10:00:05.000Z') });
    const other = new Recorder({ sessionId: 'session_20251026_090000', sink: new FileSink(logsDir), now: () => Date.parse('2025-10-26T10:00:09.000Z') });
    beat(watchdog, false);
    beat(watchdog, true);
    beat(other, false); // another session's heartbeat in the same file is not ours
    const after = parseExposition((await scrape(server.url)).text);
    expect(valueOf(after, 'tradetrace_heartbeats_total')).toBe(2);
    expect(valueOf(after, 'tradetrace_last_heartbeat_timestamp_seconds')).toBe(Date.parse('2025-10-26T10:00:05.000Z') / 1000);
    expect(valueOf(after, 'tradetrace_loop_alive', { loop: 'DecisionLoop' })).toBe(1);
    // Nothing is counted twice by the next scrape.
    expect(valueOf(parseExposition((await scrape(server.url)).text), 'tradetrace_heartbeats_total')).toBe(2);
    watchdog.close();
    other.close();
    recorder.close();
  });

  it('answers 404 outside /metrics, and stops counting once closed', async () => {
    const recorder = bot();
    server = await startMetricsServer({ recorder, port: 0, defaultMetrics: false });
    expect((await scrape(server.url.replace('/metrics', '/other'))).status).toBe(404);
    const { url } = server;
    await server.close();
    server = undefined;
    await expect(fetch(url)).rejects.toThrow();
    recorder.close();
  });

  it('fails with a typed error naming the address when the port is taken', async () => {
    const recorder = bot();
    server = await startMetricsServer({ recorder, port: 0, defaultMetrics: false });
    await expect(startMetricsServer({ recorder, port: server.port, defaultMetrics: false })).rejects.toMatchObject({ code: 'listen_failed', retryable: true, message: `cannot serve metrics on 127.0.0.1:${server.port}: EADDRINUSE` });
    await expect(startMetricsServer({ recorder, port: 70_000 })).rejects.toThrow('metrics port 70000: expected an integer from 0 to 65535');
    recorder.close();
  });
});
