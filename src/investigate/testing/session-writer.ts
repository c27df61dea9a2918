import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../../domain/decimal.js';
import { compactUtc } from '../../domain/ids.js';
import type { EventInput, EventType } from '../../recorder/events/catalog.js';
import type { OrderFailureReason } from '../../recorder/events/order-events.js';
import type { SessionEndReason } from '../../recorder/events/audit-events.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { withDecision, withIntent } from '../../recorder/trace-context.js';

/**
 * Writes realistic flight-recorder logs through the real Recorder and FileSink, with a clock the
 * test controls, so investigation tests assert exact findings on lines the bot would write.
 */
export interface SessionOptions {
  readonly dataDir: string;
  readonly sessionId: string;
  readonly start: Date;
  readonly config: Record<string, unknown>;
  readonly mode?: 'paper' | 'live' | 'demo' | 'backtest';
  /** Write sessions/<id>/manifest.json as the session manager would; false = derive from logs only. */
  readonly manifest?: boolean;
  /** The previous session, to write CONFIG_DIFF when the config changed. */
  readonly previous?: { readonly sessionId: string; readonly config: Record<string, unknown> };
  /** The recorder's mode: benchmarks write gigabytes buffered; tests use the bot's default, durable. */
  readonly sinkMode?: 'durable' | 'buffered';
  /** The bot's process as SESSION_START and the manifest name it (default pid 4242 on bot-host). */
  readonly process?: { readonly pid: number; readonly host: string };
}

export type ThreadState = { readonly name: string; readonly alive: boolean; readonly lastBeatAgeS: number | null };
export type AttemptOutcome = { readonly retry: 'timeout' | 'rate_limited' | 'network'; readonly message: string };

export interface BuyPlan {
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly quoteBudget: string;
  readonly retries?: readonly AttemptOutcome[];
  /** Absent: the last attempt fills at `price`. */
  readonly failure?: { readonly reason: OrderFailureReason; readonly message: string };
  /**
   * The last attempt's IOC order expired on the exchange with `filledQty` filled (of `qty`): as the
   * router settles it, a partial fill and the remainder's cancel, or (nothing filled) a cancel and
   * then ORDER_FAILED slippage.
   */
  readonly expired?: { readonly filledQty: string };
}

export interface BuyResult {
  readonly decisionId: string;
  readonly intentId: string;
  readonly attempts: number;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function configHash(config: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(config)).digest('hex').slice(0, 16);
}

/** Every changed leaf path between two configs, with old and new value. */
export function configChanges(from: unknown, to: unknown, path = ''): { path: string; from: unknown; to: unknown }[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(from) && isObj(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => configChanges(from[k], to[k], path ? `${path}.${k}` : k));
  }
  return canonical(from) === canonical(to) ? [] : [{ path, from: from ?? null, to: to ?? null }];
}

export class SessionWriter {
  readonly recorder: Recorder;
  readonly logsDir: string;
  readonly hash: string;
  private ms: number;
  private decisionCounter = 0;
  private intentCounter = 0;
  private readonly startMs: number;
  private readonly pid: number;
  private readonly host: string;

  constructor(private readonly options: SessionOptions) {
    this.pid = options.process?.pid ?? 4242;
    this.host = options.process?.host ?? 'bot-host';
    this.ms = options.start.getTime();
    this.startMs = this.ms;
    this.logsDir = join(options.dataDir, 'logs');
    this.recorder = new Recorder({ sessionId: options.sessionId, sink: new FileSink(this.logsDir, { mode: options.sinkMode ?? 'durable' }), now: () => this.ms });
    this.hash = configHash(options.config);
    this.emit('SESSION_START', {
      mode: options.mode ?? 'paper', version: '0.1.0', pid: this.pid, host: this.host,
      data_dir: options.dataDir, config_hash: this.hash,
    });
    this.emit('CONFIG_HASH', { config_hash: this.hash, config: options.config });
    const prev = options.previous;
    if (prev) {
      const prevHash = configHash(prev.config);
      if (prevHash !== this.hash) {
        this.emit('CONFIG_DIFF', {
          message: `Config drift detected: ${prevHash.slice(0, 8)} -> ${this.hash.slice(0, 8)}`,
          prev_hash: prevHash, current_hash: this.hash, prev_session: prev.sessionId,
          changes: configChanges(prev.config, options.config),
        });
      }
    }
    const dir = join(options.dataDir, 'sessions', options.sessionId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config_hash.txt'), `${this.hash}\n`);
    if (options.manifest !== false) this.writeManifest(null, null, null);
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  get now(): Date {
    return new Date(this.ms);
  }

  tick(ms: number): this {
    this.ms += ms;
    return this;
  }

  emit<T extends EventType>(type: T, fields: EventInput<T>): void {
    this.recorder.emit(type, fields);
  }

  private nextDecisionId(): string {
    this.decisionCounter++;
    const hex = ((Math.floor(this.startMs / 1000) % 0xfff) * 0x1000 + this.decisionCounter).toString(16).padStart(6, '0');
    return `dec_${compactUtc(this.now)}_${hex}`;
  }

  private nextIntentId(): string {
    this.intentCounter++;
    return `int_${Math.floor(this.startMs / 1000).toString(16).padStart(12, '0').slice(-12)}${this.intentCounter.toString(16).padStart(4, '0')}`;
  }

  private startDecision(symbol: string, price: string): string {
    const decisionId = this.nextDecisionId();
    this.emit('DECISION_START', { decision_id: decisionId, symbol, bar_ts: new Date(this.ms - (this.ms % 60_000)).toISOString(), price: Decimal.parse(price), strategy: 'ema_cross' });
    return decisionId;
  }

  noSignal(symbol: string, price: string): string {
    const id = this.startDecision(symbol, price);
    this.tick(3);
    this.emit('DECISION_END', { decision_id: id, symbol, outcome: 'no_signal', duration_ms: 3, reason: 'no buy signal on this bar' });
    return id;
  }

  blocked(symbol: string, guard: string, observed: number | string | boolean, threshold: number | string | boolean, message: string): string {
    const id = this.startDecision(symbol, '45000');
    this.tick(2);
    this.emit('BUY_BLOCKED', { decision_id: id, symbol, guard, observed, threshold, message });
    this.tick(1);
    this.emit('DECISION_END', { decision_id: id, symbol, outcome: 'blocked', duration_ms: 3, reason: `${guard}: ${message}` });
    return id;
  }

  /**
   * One order's attempts under the current intent, as the router writes them: an ORDER_CONTEXT per
   * attempt, then a retry, the final failure, or the submission and its fill.
   */
  private orderAttempts(
    order: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly qty: Decimal; readonly limitPx: Decimal; readonly quoteBudget: Decimal; readonly fillPx: Decimal; readonly fee: Decimal; readonly feeCurrency: string },
    intentId: string,
    plan: Pick<BuyPlan, 'retries' | 'failure' | 'expired'>,
  ): { attempts: number; filled: Decimal | null; failure: OrderFailureReason | null } {
    const { symbol, side, qty, limitPx } = order;
    const retries = plan.retries ?? [];
    for (let attempt = 1; ; attempt++) {
      const clientOrderId = `${intentId}-${attempt}`;
      this.tick(1).emit('ORDER_CONTEXT', {
        symbol, side, qty, limit_px: limitPx, quote_budget: order.quoteBudget, notional: qty.mul(limitPx),
        tif: 'IOC', slippage_bps: 20, min_notional: Decimal.parse('5'), max_retries: 3, retry_backoff_ms: 400,
        attempt, attempt_start_ts: this.ms / 1000, client_order_id: clientOrderId,
      });
      const retry = retries[attempt - 1];
      if (retry) {
        this.tick(1000).emit('ORDER_RETRY', { symbol, attempt, next_attempt: attempt + 1, reason: retry.retry, message: retry.message, backoff_ms: 400 * attempt });
        this.tick(400 * attempt);
        continue;
      }
      if (plan.failure) {
        this.tick(40).emit('ORDER_FAILED', { symbol, side, reason: plan.failure.reason, message: plan.failure.message, attempt, client_order_id: clientOrderId });
        return { attempts: attempt, filled: null, failure: plan.failure.reason };
      }
      const exchangeId = `ex-${this.intentCounter}${attempt}`;
      if (plan.expired) return { attempts: attempt, ...this.expiredOrder(order, attempt, clientOrderId, exchangeId, Decimal.parse(plan.expired.filledQty)) };
      this.tick(30).emit('ORDER_SUBMITTED', { symbol, side, attempt, client_order_id: clientOrderId, exchange_order_id: exchangeId, status: 'NEW' });
      this.tick(25).emit('ORDER_FILLED', { symbol, side, attempt, client_order_id: clientOrderId, exchange_order_id: exchangeId, filled_qty: qty, avg_px: order.fillPx, fee: order.fee, fee_currency: order.feeCurrency, partial: false });
      return { attempts: attempt, filled: qty, failure: null };
    }
  }

  /** An IOC order that expired with `filledQty` filled, in the order src/execution/order-router.ts settles it. */
  private expiredOrder(
    order: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly limitPx: Decimal; readonly fillPx: Decimal; readonly fee: Decimal; readonly feeCurrency: string },
    attempt: number,
    clientOrderId: string,
    exchangeId: string,
    filledQty: Decimal,
  ): { filled: Decimal | null; failure: OrderFailureReason | null } {
    const { symbol, side } = order;
    const base = { symbol, side, attempt, client_order_id: clientOrderId };
    this.tick(30).emit('ORDER_SUBMITTED', { ...base, exchange_order_id: exchangeId, status: 'expired' });
    if (filledQty.isPositive()) {
      this.emit('ORDER_FILLED', { ...base, exchange_order_id: exchangeId, filled_qty: filledQty, avg_px: order.fillPx, fee: order.fee, fee_currency: order.feeCurrency, partial: true });
    }
    this.emit('ORDER_CANCELED', { ...base, reason: 'ioc_expired', filled_qty: filledQty });
    if (filledQty.isPositive()) return { filled: filledQty, failure: null };
    this.tick(1).emit('ORDER_FAILED', {
      ...base, reason: 'slippage', message: `no fill within limit ${order.limitPx.toString()} (slippage_bps 20 from ${order.fillPx.toString()}): the market was beyond the limit or too thin for IOC`,
    });
    return { filled: null, failure: 'slippage' };
  }

  /** A buy from signal to fill or failure, one ORDER_CONTEXT per attempt. */
  buy(plan: BuyPlan): BuyResult {
    const decisionId = this.startDecision(plan.symbol, plan.price);
    const intentId = this.nextIntentId();
    const begin = this.ms;
    const qty = Decimal.parse(plan.qty);
    const px = Decimal.parse(plan.price);
    const budget = Decimal.parse(plan.quoteBudget);
    const limitPx = px.mul(Decimal.parse('1.002')).round(2, 'down');
    const fee = qty.mul(Decimal.parse('0.001'));
    const feeCurrency = plan.symbol.split('/')[0] ?? 'BTC';
    let attempts = 0;
    let failure: OrderFailureReason | null = null;
    withDecision(decisionId, () => {
      this.tick(2).emit('BUY_TRIGGERED', { symbol: plan.symbol, signal: 'ema_cross_up', price: px, indicators: { ema_fast: 45010.5, ema_slow: 44990.25 } });
      this.tick(1).emit('BUY_CANDIDATE', { symbol: plan.symbol, quote_budget: budget, qty, limit_px: limitPx, ref_px: px, notional: qty.mul(limitPx) });
      withIntent(intentId, () => {
        this.tick(1).emit('BUY_ORDER', { symbol: plan.symbol, side: 'buy', qty, limit_px: limitPx, quote_budget: budget, tif: 'IOC' });
        const order = this.orderAttempts({ symbol: plan.symbol, side: 'buy', qty, limitPx, quoteBudget: budget, fillPx: px, fee, feeCurrency }, intentId, plan);
        attempts = order.attempts;
        failure = order.failure;
        if (!order.filled) return;
        const partial = order.filled.lt(qty);
        this.tick(1).emit('BUY_FILLED', { symbol: plan.symbol, qty: order.filled, avg_px: px, fee, fee_currency: feeCurrency, notional: order.filled.mul(px), partial });
        this.emit('DASH_EVENT', { dashboard_event_type: 'BUY_FILLED', message: `${plan.symbol} @ $${px.toFixed(2)}`, source: 'src/engine/buy-decision.ts:212', timestamp: new Date(this.ms).toISOString().slice(11, 19) });
      });
      this.tick(1).emit('DECISION_END', {
        symbol: plan.symbol, outcome: failure ? 'failed' : 'filled', duration_ms: this.ms - begin,
        ...(failure ? { reason: `order failed: ${failure}` } : {}),
      });
    });
    return { decisionId, intentId, attempts };
  }

  /**
   * A buy the bot was killed in the middle of: the decision's lines up to the order handed to the
   * router and its first attempt's ORDER_CONTEXT, then nothing (no answer, no DECISION_END), as the
   * store holds it: recorded, unsettled. Follow with `kill` or `abandon`; the next session's
   * reconciliation settles it (src/store/reconcile.ts).
   */
  buyInFlight(plan: Pick<BuyPlan, 'symbol' | 'price' | 'qty' | 'quoteBudget'>): BuyResult & { readonly clientOrderId: string; readonly qty: Decimal; readonly limitPx: Decimal } {
    const decisionId = this.startDecision(plan.symbol, plan.price);
    const intentId = this.nextIntentId();
    const qty = Decimal.parse(plan.qty);
    const px = Decimal.parse(plan.price);
    const budget = Decimal.parse(plan.quoteBudget);
    const limitPx = px.mul(Decimal.parse('1.002')).round(2, 'down');
    const clientOrderId = `${intentId}-1`;
    withDecision(decisionId, () => {
      this.tick(2).emit('BUY_TRIGGERED', { symbol: plan.symbol, signal: 'ema_cross_up', price: px, indicators: { ema_fast: 45010.5, ema_slow: 44990.25 } });
      this.tick(1).emit('BUY_CANDIDATE', { symbol: plan.symbol, quote_budget: budget, qty, limit_px: limitPx, ref_px: px, notional: qty.mul(limitPx) });
      withIntent(intentId, () => {
        this.tick(1).emit('BUY_ORDER', { symbol: plan.symbol, side: 'buy', qty, limit_px: limitPx, quote_budget: budget, tif: 'IOC' });
        this.tick(1).emit('ORDER_CONTEXT', {
          symbol: plan.symbol, side: 'buy', qty, limit_px: limitPx, quote_budget: budget, notional: qty.mul(limitPx),
          tif: 'IOC', slippage_bps: 20, min_notional: Decimal.parse('5'), max_retries: 3, retry_backoff_ms: 400,
          attempt: 1, attempt_start_ts: this.ms / 1000, client_order_id: clientOrderId,
        });
      });
    });
    return { decisionId, intentId, attempts: 1, clientOrderId, qty, limitPx };
  }

  /**
   * The later exit of the position a filled decision opened; its lines carry that decision_id. With
   * `order`, the sell's own order lines are written too, under an intent of its own: its retries,
   * then a fill or (with `failure`) an ORDER_FAILED and no SELL_FILLED.
   */
  exit(decisionId: string, symbol: string, entryPx: string, sellPx: string, qty: string, holdingS: number, order?: Pick<BuyPlan, 'retries' | 'failure'>): void {
    this.tick(holdingS * 1000);
    const entry = Decimal.parse(entryPx);
    const sell = Decimal.parse(sellPx);
    const q = Decimal.parse(qty);
    const fee = q.mul(sell).mul(Decimal.parse('0.001'));
    const rule = sell.gte(entry) ? 'take_profit' : 'stop_loss';
    withDecision(decisionId, () => {
      // The engine names the sell's intent on EXIT_TRIGGERED (src/engine/exit-handler.ts).
      const intentId = order ? this.nextIntentId() : undefined;
      this.emit('EXIT_TRIGGERED', { ...(intentId ? { intent_id: intentId } : {}), symbol, rule, entry_px: entry, trigger_px: sell, price: sell, qty: q });
      if (order && intentId) {
        const sold = withIntent(intentId, () =>
          this.orderAttempts({ symbol, side: 'sell', qty: q, limitPx: sell, quoteBudget: q.mul(sell), fillPx: sell, fee, feeCurrency: 'USDT' }, intentId, order),
        );
        if (!sold.filled) return;
      }
      this.tick(60).emit('SELL_FILLED', { symbol, rule, qty: q, avg_px: sell, entry_px: entry, fee, realized_pnl: sell.sub(entry).mul(q).sub(fee), holding_s: holdingS });
      this.emit('DASH_EVENT', { dashboard_event_type: 'SELL_FILLED', message: `${symbol} @ $${sell.toFixed(2)}`, source: 'src/engine/exit-handler.ts:88', timestamp: new Date(this.ms).toISOString().slice(11, 19) });
    });
  }

  heartbeat(threads: readonly ThreadState[], trigger: 'interval' | 'shutdown' = 'interval'): void {
    const ages = threads.map((t) => t.lastBeatAgeS ?? Infinity);
    this.emit('SHUTDOWN_HEARTBEAT', {
      registered_components: ['engine', 'portfolio', 'market_data'],
      registered_threads: threads.map((t) => ({ name: t.name, alive: t.alive, daemon: true, last_beat_age_s: t.lastBeatAgeS, period_s: 5 })),
      recent_heartbeats: threads.filter((t) => t.lastBeatAgeS !== null).map((t) => ({ name: t.name, ts: new Date(this.ms - (t.lastBeatAgeS ?? 0) * 1000).toISOString() })),
      last_heartbeat_age_s: Math.min(...ages),
      shutdown_requested: trigger === 'shutdown',
      event_loop_blocked_ms: 0,
      trigger,
      stats: { shutdown_requests: trigger === 'shutdown' ? 1 : 0, heartbeats_logged: 1 },
    });
  }

  dash(type: string, message: string, source: string, decisionId?: string): void {
    this.emit('DASH_EVENT', { ...(decisionId ? { decision_id: decisionId } : {}), dashboard_event_type: type, message, source, timestamp: new Date(this.ms).toISOString().slice(11, 19) });
  }

  /** Refused before trading, as the bot ends a start it cannot go on with: SESSION_END says why. */
  refuse(errorCode: string, message: string, exitCode = 1): void {
    this.emit('SESSION_END', { reason: 'refused', exit_code: exitCode, duration_ms: this.ms - this.startMs, error_code: errorCode, message });
    this.recorder.close();
    if (this.options.manifest !== false) this.writeManifest(this.now.toISOString(), 'refused', exitCode);
  }

  /** A clean stop: shutdown lines, SESSION_END and the finished manifest. */
  /** `failure`: what SESSION_END says failed, for reasons error, refused and fatal. */
  end(reason: SessionEndReason = 'signal', exitCode = 0, failure?: { error_code: string; message: string }): void {
    this.emit('SHUTDOWN_REQUESTED', { reason: 'SIGINT', running: ['engine', 'DecisionLoop'] });
    this.tick(120).emit('SHUTDOWN_COMPLETE', { components: [{ name: 'engine', result: 'stopped', duration_ms: 80 }], exit_code: exitCode, duration_ms: 120 });
    this.emit('SESSION_END', { reason, exit_code: exitCode, duration_ms: this.ms - this.startMs, ...failure });
    this.recorder.close();
    if (this.options.manifest !== false) this.writeManifest(this.now.toISOString(), reason, exitCode);
  }

  /** SIGKILL in the middle of a write: the recorder stops and `channel` ends in a torn line. */
  kill(channel: 'decisions' | 'orders' | 'system', partialLine: string): void {
    this.recorder.close();
    appendFileSync(join(this.logsDir, `${channel}.jsonl`), partialLine);
  }

  /** Stops writing without any trace, as a hung or killed process does. */
  abandon(): void {
    this.recorder.close();
  }

  private writeManifest(end: string | null, reason: string | null, exitCode: number | null): void {
    const manifest = {
      session_id: this.options.sessionId, start: new Date(this.startMs).toISOString(), end, exit_reason: reason,
      exit_code: exitCode, version: '0.1.0', pid: this.pid, host: this.host, mode: this.options.mode ?? 'paper',
    };
    writeFileSync(join(this.options.dataDir, 'sessions', this.options.sessionId, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
}
