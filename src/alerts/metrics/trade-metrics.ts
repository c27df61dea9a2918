import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { Decimal } from '../../domain/decimal.js';
import { splitSymbol } from '../../domain/market-symbol.js';
import { parseAlertOptions, type AlertOptions } from '../alert-options.js';
import type { EventType } from '../../recorder/events/catalog.js';
import { ORDER_FAILURE_REASONS } from '../../recorder/events/order-events.js';
import { lineNumber } from '../line-number.js';
import type { Recorder } from '../../recorder/recorder.js';
import { LogTailer } from '../watch/log-tailer.js';

export interface TradeMetrics {
  readonly registry: Registry;
  /** Stops feeding the metrics from the recorder. */
  readonly unsubscribe: () => void;
}

export interface TradeMetricsOptions {
  /** Node's default process metrics (CPU, memory, event loop lag, GC); default true. */
  readonly defaultMetrics?: boolean;
  /**
   * The session's config hash. CONFIG_HASH is written when the session starts, before a metrics
   * server can subscribe to the recorder, so `tradetrace_config_info` is set from this at creation.
   */
  readonly configHash?: string;
  /**
   * The session's config drift, when the bootstrap found one (StartedSession.drift). CONFIG_DIFF is
   * written with CONFIG_HASH, before a metrics server can subscribe, so `tradetrace_config_drift_info`
   * is set from this at creation; without it the drift rule could never fire in the bot.
   */
  readonly configDrift?: { readonly prevHash: string; readonly currentHash: string; readonly prevSession: string };
  /**
   * Realized PnL the session booked before the server could subscribe, per quote currency: fills
   * that restart reconciliation booked as the session opened (ReconcileReport.realizedPnl), whose
   * SELL_FILLED lines came first. Each currency's `tradetrace_realized_pnl` series starts from its
   * amount, so it agrees with that currency's PnL in the session's summary.
   */
  readonly realizedPnlAtStart?: ReadonlyMap<string, Decimal>;
  /**
   * The session's quote currency (trading.quote_currency): its `tradetrace_realized_pnl` series
   * exists from the start, at 0 until something is realized, as the summary always names it.
   */
  readonly quoteCurrency?: string;
  /**
   * runtime.heartbeat_interval and alerts.heartbeat_missing_multiple of the session. Exported so the
   * Prometheus heartbeat rule follows the bot's config instead of a fixed 90 s; the interval also
   * tells a heartbeat that came late (the whole process stood still) from a punctual one.
   */
  readonly heartbeat?: { readonly intervalMs: number; readonly missingMultiple: number };
  /** The clock the late-fill grace is judged by (ms); tests set it, the bot uses Date.now. */
  readonly now?: () => number;
  /**
   * The recorder's logs directory. In the bot the watchdog writes SHUTDOWN_HEARTBEAT from its worker
   * thread through its own recorder, which `onLine` never sees; with this set, the heartbeat series
   * are read back from `<logsDir>/system.jsonl` (this session's new lines) on every scrape, and only
   * from there. Reading the file rather than asking the coordinator for a live snapshot is deliberate:
   * the gauges then say what the watchdog actually wrote, so a dead or stuck watchdog thread shows as a
   * stale heartbeat (the Prometheus rule fires) instead of being papered over by a fresh snapshot.
   */
  readonly logsDir?: string;
}

type Fields = Readonly<Record<string, unknown>>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
/** The line's own intent id: the recorder writes it before the event's fields, so the first match is it. */
const intentOf = (fields: Fields, line: string): string => str(fields['intent_id']) || (/"intent_id":"([^"]+)"/.exec(line)?.[1] ?? '');

/**
 * A heartbeat whose gap since the previous one exceeds this many intervals came late itself: the
 * watchdog thread stood still with the rest of the process (SIGSTOP, a VM pause), and its verdict
 * on the loops compares their beats from before the pause with a clock from after it.
 */
const LATE_HEARTBEAT_FACTOR = 1.5;
/**
 * The order failure window of ops/prometheus/alerts.yml (PromQL ranges are fixed in the rule, so
 * this is too): a timeout's late fill after it has left the window would lower a rate it is no
 * longer part of, so failed intents are remembered this long.
 */
const LATE_FILL_WINDOW_S = 15 * 60;
/** Bounds the memory of timed-out intents on a bot whose exchange times out wholesale. */
const MAX_TIMED_OUT_KEPT = 10_000;
const MAX_FILLED_KEPT = 10_000;
/** The bot's own order failure rule runs with the default late-fill grace (src/cli/paper/paper-alerts.ts sets none). */
const ALERT_DEFAULTS = ((): AlertOptions => {
  const parsed = parseAlertOptions();
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
})();
/** `{"ts":"2025-10-26T10:00:00.000Z",...`: the recorder writes ts first, always 24 characters. */
const lineSeconds = (line: string): number => Date.parse(line.slice(7, 31)) / 1000;

/**
 * A prom-client registry fed by every line the recorder writes (`recorder.onLine`), so the metrics
 * say exactly what the flight record says. Names and labels are what ops/prometheus/alerts.yml uses.
 */
export function createTradeMetrics(recorder: Recorder, options: TradeMetricsOptions = {}): TradeMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  let readHeartbeats = (): void => undefined;
  // prom-client collects metrics in registration order, each collect() running before the next metric
  // is read, so the heartbeat series below it are up to date within the same scrape.
  const lastHeartbeat = new Gauge({ name: 'tradetrace_last_heartbeat_timestamp_seconds', help: 'Unix time of the last SHUTDOWN_HEARTBEAT (until the first one, of the start)', registers, collect: () => readHeartbeats() });
  // The first heartbeat comes one interval after the start: read as 0 until then, the heartbeat
  // rule paged "hung" on every start. From the start, it pages only a bot that has not beaten
  // within its deadline after it started.
  let lastBeatSeconds = Date.now() / 1000;
  lastHeartbeat.set(lastBeatSeconds);
  const intervalGauge = new Gauge({ name: 'tradetrace_heartbeat_interval_seconds', help: "runtime.heartbeat_interval of this session's config: how often the watchdog writes SHUTDOWN_HEARTBEAT", registers });
  const multipleGauge = new Gauge({ name: 'tradetrace_heartbeat_missing_multiple', help: "alerts.heartbeat_missing_multiple of this session's config: intervals without a heartbeat before it is missing", registers });
  const intervalS = options.heartbeat === undefined ? null : options.heartbeat.intervalMs / 1000;
  if (intervalS !== null) intervalGauge.set(intervalS);
  if (options.heartbeat !== undefined) multipleGauge.set(options.heartbeat.missingMultiple);
  const heartbeats = new Counter({ name: 'tradetrace_heartbeats_total', help: 'SHUTDOWN_HEARTBEAT lines written', registers });
  const loopAlive = new Gauge({ name: 'tradetrace_loop_alive', help: '1 while the loop beats within its stall threshold, per the last heartbeat', labelNames: ['loop'], registers });
  const blocked = new Gauge({ name: 'tradetrace_event_loop_blocked_seconds', help: 'how long the main event loop had not answered at the last heartbeat', registers });
  const decisions = new Counter({ name: 'tradetrace_decisions_total', help: 'decisions by outcome (DECISION_END)', labelNames: ['outcome'], registers });
  const intents = new Counter({ name: 'tradetrace_order_intents_total', help: 'order intents: ORDER_CONTEXT with attempt 1', registers });
  const attempts = new Counter({ name: 'tradetrace_order_attempts_total', help: 'order attempts: every ORDER_CONTEXT', registers });
  const orders = new Counter({ name: 'tradetrace_orders_total', help: 'order events by outcome (submitted, filled, retry, canceled, failed) and reason; filled counts each order once, at its first fill', labelNames: ['outcome', 'reason'], registers });
  const fills = new Counter({ name: 'tradetrace_fills_total', help: 'ORDER_FILLED lines by side and whether partial: one per IOC order that filled, one per look-up that found more filled for a resting GTC order (filled orders: tradetrace_orders_total{outcome="filled"})', labelNames: ['side', 'partial'], registers });
  const lateFills = new Counter({ name: 'tradetrace_order_late_fills_total', help: 'intents that failed timeout_exhausted and were then found filled (ORDER_FILLED after the ORDER_FAILED): failures the log rule counts as fills', registers });
  const now = options.now ?? Date.now;
  const { lateFillGraceS } = ALERT_DEFAULTS.orderFailure;
  /** Intent id -> Unix seconds of its ORDER_FAILED timeout_exhausted; insertion order is failure order. */
  const filledOrders = new Set<string>();
  /** True at an order's first ORDER_FILLED; the latest MAX_FILLED_KEPT orders are remembered (a resting order's look-ups come within hours). */
  const firstFillOf = (clientOrderId: string): boolean => {
    if (filledOrders.has(clientOrderId)) return false;
    filledOrders.add(clientOrderId);
    if (filledOrders.size > MAX_FILLED_KEPT) filledOrders.delete(filledOrders.values().next().value ?? clientOrderId);
    return true;
  };
  const timedOut = new Map<string, number>();
  const forgetOldTimeouts = (nowS: number): void => {
    for (const [id, at] of timedOut) {
      if (at > nowS - LATE_FILL_WINDOW_S && timedOut.size <= MAX_TIMED_OUT_KEPT) break;
      timedOut.delete(id);
    }
  };
  new Gauge({
    name: 'tradetrace_order_timeouts_awaiting_fill',
    help: `intents that failed timeout_exhausted less than ${lateFillGraceS} s ago and are not found filled yet: the log rule counts them as in flight`,
    registers,
    collect(this: Gauge) {
      const nowS = now() / 1000;
      forgetOldTimeouts(nowS);
      let awaiting = 0;
      for (const at of timedOut.values()) if (at > nowS - lateFillGraceS) awaiting++;
      this.set(awaiting);
    },
  });
  const pnl = new Gauge({ name: 'tradetrace_realized_pnl', help: "this session's realized PnL per quote currency (label currency, never added across currencies), fees included (what restart reconciliation booked at its start, plus its SELL_FILLED; starts anew with each session)", labelNames: ['currency'], registers });
  const configInfo = new Gauge({ name: 'tradetrace_config_info', help: "the session's config hash (value always 1)", labelNames: ['config_hash', 'session_id'], registers });
  const driftInfo = new Gauge({ name: 'tradetrace_config_drift_info', help: 'set to 1 when the config differs from the previous session (CONFIG_DIFF)', labelNames: ['prev_hash', 'current_hash', 'prev_session'], registers });
  const alertsFiring = new Gauge({ name: 'tradetrace_alerts_firing', help: 'in-bot alerts currently firing, by rule', labelNames: ['rule'], registers });

  const setConfigHash = (hash: string): void => {
    configInfo.reset();
    configInfo.set({ config_hash: hash, session_id: recorder.sessionId }, 1);
  };
  if (options.configHash !== undefined) setConfigHash(options.configHash);
  const setDrift = (prevHash: string, currentHash: string, prevSession: string): void => {
    driftInfo.set({ prev_hash: prevHash, current_hash: currentHash, prev_session: prevSession }, 1);
  };
  if (options.configDrift !== undefined) setDrift(options.configDrift.prevHash, options.configDrift.currentHash, options.configDrift.prevSession);
  // Failure series exist from the start at 0, so the first failure is an increase() in PromQL, not a new series.
  for (const reason of ORDER_FAILURE_REASONS) orders.inc({ outcome: 'failed', reason }, 0);
  // A market's PnL is in its quote currency: BTC/USDT's in USDT, ETH/BTC's in BTC. Added together
  // they were one number in no unit, disagreeing with the summary, which keeps each apart.
  const realized = new Map<string, Decimal>();
  const book = (currency: string, amount: Decimal): void => {
    const sum = (realized.get(currency) ?? Decimal.ZERO).add(amount);
    realized.set(currency, sum);
    // Summed exactly; converted to a float only for the exposition.
    pnl.set({ currency }, sum.toNumber());
  };
  if (options.quoteCurrency !== undefined) book(options.quoteCurrency, Decimal.ZERO);
  for (const [currency, amount] of options.realizedPnlAtStart ?? []) book(currency, amount);
  const openAlerts = new Map<string, string>();
  /** What tradetrace_loop_alive holds, by loop: a late heartbeat keeps the values it cannot judge. */
  let alive = new Map<string, number>();
  const heartbeat = (f: Fields, seconds: number): void => {
    const late = intervalS !== null && seconds - lastBeatSeconds > intervalS * LATE_HEARTBEAT_FACTOR;
    lastBeatSeconds = seconds;
    lastHeartbeat.set(seconds);
    heartbeats.inc();
    blocked.set(lineNumber(f['event_loop_blocked_ms']) / 1000);
    const threads = Array.isArray(f['registered_threads']) ? (f['registered_threads'] as { name?: unknown; alive?: unknown }[]) : [];
    const next = new Map<string, number>();
    for (const t of threads) {
      const loop = str(t.name);
      // After a pause every loop's last beat is old, so alive:false from a late heartbeat says
      // nothing about the loop; the next punctual heartbeat judges it (a really stuck loop is
      // still reported one interval later). alive:true is true whenever it is written.
      const value = t.alive === true ? 1 : late ? alive.get(loop) : 0;
      if (value !== undefined) next.set(loop, value);
    }
    alive = next;
    loopAlive.reset();
    for (const [loop, value] of alive) loopAlive.set({ loop }, value);
  };
  const tailer = options.logsDir === undefined ? null : new LogTailer(options.logsDir, ['system'], () => undefined, { fromEnd: true });
  const handlers: Partial<Record<EventType, (fields: Fields, line: string) => void>> = {
    // With a tailer, every heartbeat (the watchdog's and the main thread's shutdown one) comes from the file: one source, in file order, none counted twice.
    ...(tailer ? {} : { SHUTDOWN_HEARTBEAT: (f: Fields, line: string) => heartbeat(f, lineSeconds(line)) }),
    DECISION_END: (f) => decisions.inc({ outcome: str(f['outcome']) }),
    ORDER_CONTEXT: (f) => {
      attempts.inc();
      if (f['attempt'] === 1) intents.inc();
    },
    ORDER_SUBMITTED: () => orders.inc({ outcome: 'submitted', reason: '' }),
    ORDER_FILLED: (f, line) => {
      // A resting GTC order writes an ORDER_FILLED per look-up that found more filled, each with its
      // totals so far: counted per line, 208 GTC orders read as 3,484 filled orders.
      if (firstFillOf(str(f['client_order_id']))) orders.inc({ outcome: 'filled', reason: '' });
      fills.inc({ side: str(f['side']), partial: f['partial'] === true ? 'true' : 'false' });
      // The order watcher found an order the router gave up on filled: the log rule then counts the
      // intent filled, so the Prometheus rule subtracts it from the failures. Counted once per intent.
      if (timedOut.size === 0) return;
      forgetOldTimeouts(lineSeconds(line));
      if (timedOut.delete(intentOf(f, line))) lateFills.inc();
    },
    ORDER_RETRY: (f) => orders.inc({ outcome: 'retry', reason: str(f['reason']) }),
    ORDER_CANCELED: (f) => orders.inc({ outcome: 'canceled', reason: str(f['reason']) }),
    ORDER_FAILED: (f, line) => {
      orders.inc({ outcome: 'failed', reason: str(f['reason']) });
      const intentId = intentOf(f, line);
      if (f['reason'] !== 'timeout_exhausted' || intentId === '') return;
      timedOut.delete(intentId);
      timedOut.set(intentId, lineSeconds(line));
      forgetOldTimeouts(now() / 1000);
    },
    SELL_FILLED: (f) => {
      const value = f['realized_pnl'];
      if (!(value instanceof Decimal || typeof value === 'number' || typeof value === 'string')) return;
      const symbol = str(f['symbol']);
      // A symbol that is not BASE/QUOTE is its own series: its PnL added to a currency's would be a guess.
      book(splitSymbol(symbol)?.quote ?? symbol, Decimal.from(value));
    },
    CONFIG_HASH: (f) => setConfigHash(str(f['config_hash'])),
    CONFIG_DIFF: (f) => setDrift(str(f['prev_hash']), str(f['current_hash']), str(f['prev_session'])),
    ALERT_FIRED: (f) => {
      openAlerts.set(str(f['alert_id']), str(f['rule']));
      alertsFiring.inc({ rule: str(f['rule']) });
    },
    ALERT_RESOLVED: (f) => {
      const rule = openAlerts.get(str(f['alert_id']));
      if (rule === undefined) return;
      openAlerts.delete(str(f['alert_id']));
      alertsFiring.dec({ rule });
    },
  };
  let closed = false;
  if (tailer) {
    readHeartbeats = () => {
      if (closed) return;
      for (const { line } of tailer.poll()) {
        if (line.event_type !== 'SHUTDOWN_HEARTBEAT' || line.session_id !== recorder.sessionId) continue;
        heartbeat(line, Date.parse(line.ts) / 1000);
      }
    };
  }
  const off = recorder.onLine((type, fields, line) => handlers[type]?.(fields, line));
  const unsubscribe = (): void => {
    if (closed) return;
    closed = true;
    off();
    tailer?.close();
  };
  return { registry, unsubscribe };
}
