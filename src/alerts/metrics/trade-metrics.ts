import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { Decimal } from '../../domain/decimal.js';
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
  // The first heartbeat comes one interval (30 s) after the start: read as 0 until then, the
  // heartbeat rule (time() - this > 90) paged "hung" on every start. From the start, it pages only
  // a bot that has not beaten 90 s after it started.
  lastHeartbeat.set(Date.now() / 1000);
  const heartbeats = new Counter({ name: 'tradetrace_heartbeats_total', help: 'SHUTDOWN_HEARTBEAT lines written', registers });
  const loopAlive = new Gauge({ name: 'tradetrace_loop_alive', help: '1 while the loop beats within its stall threshold, per the last heartbeat', labelNames: ['loop'], registers });
  const blocked = new Gauge({ name: 'tradetrace_event_loop_blocked_seconds', help: 'how long the main event loop had not answered at the last heartbeat', registers });
  const decisions = new Counter({ name: 'tradetrace_decisions_total', help: 'decisions by outcome (DECISION_END)', labelNames: ['outcome'], registers });
  const intents = new Counter({ name: 'tradetrace_order_intents_total', help: 'order intents: ORDER_CONTEXT with attempt 1', registers });
  const attempts = new Counter({ name: 'tradetrace_order_attempts_total', help: 'order attempts: every ORDER_CONTEXT', registers });
  const orders = new Counter({ name: 'tradetrace_orders_total', help: 'order events by outcome (submitted, filled, retry, canceled, failed) and reason', labelNames: ['outcome', 'reason'], registers });
  const fills = new Counter({ name: 'tradetrace_fills_total', help: 'ORDER_FILLED by side and whether partial', labelNames: ['side', 'partial'], registers });
  const pnl = new Gauge({ name: 'tradetrace_realized_pnl', help: 'realized PnL in quote currency, fees included (sum of SELL_FILLED)', registers });
  const configInfo = new Gauge({ name: 'tradetrace_config_info', help: "the session's config hash (value always 1)", labelNames: ['config_hash', 'session_id'], registers });
  const driftInfo = new Gauge({ name: 'tradetrace_config_drift_info', help: 'set to 1 when the config differs from the previous session (CONFIG_DIFF)', labelNames: ['prev_hash', 'current_hash', 'prev_session'], registers });
  const alertsFiring = new Gauge({ name: 'tradetrace_alerts_firing', help: 'in-bot alerts currently firing, by rule', labelNames: ['rule'], registers });

  const setConfigHash = (hash: string): void => {
    configInfo.reset();
    configInfo.set({ config_hash: hash, session_id: recorder.sessionId }, 1);
  };
  if (options.configHash !== undefined) setConfigHash(options.configHash);
  pnl.set(0);
  // Failure series exist from the start at 0, so the first failure is an increase() in PromQL, not a new series.
  for (const reason of ORDER_FAILURE_REASONS) orders.inc({ outcome: 'failed', reason }, 0);
  let realized = Decimal.from(0);
  const openAlerts = new Map<string, string>();
  const heartbeat = (f: Fields, seconds: number): void => {
    lastHeartbeat.set(seconds);
    heartbeats.inc();
    blocked.set(lineNumber(f['event_loop_blocked_ms']) / 1000);
    const threads = Array.isArray(f['registered_threads']) ? (f['registered_threads'] as { name?: unknown; alive?: unknown }[]) : [];
    loopAlive.reset();
    for (const t of threads) loopAlive.set({ loop: str(t.name) }, t.alive === true ? 1 : 0);
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
    ORDER_FILLED: (f) => {
      orders.inc({ outcome: 'filled', reason: '' });
      fills.inc({ side: str(f['side']), partial: f['partial'] === true ? 'true' : 'false' });
    },
    ORDER_RETRY: (f) => orders.inc({ outcome: 'retry', reason: str(f['reason']) }),
    ORDER_CANCELED: (f) => orders.inc({ outcome: 'canceled', reason: str(f['reason']) }),
    ORDER_FAILED: (f) => orders.inc({ outcome: 'failed', reason: str(f['reason']) }),
    SELL_FILLED: (f) => {
      const value = f['realized_pnl'];
      // Summed exactly; converted to a float only for the exposition.
      if (value instanceof Decimal || typeof value === 'number' || typeof value === 'string') realized = realized.add(Decimal.from(value));
      pnl.set(realized.toNumber());
    },
    CONFIG_HASH: (f) => setConfigHash(str(f['config_hash'])),
    CONFIG_DIFF: (f) => driftInfo.set({ prev_hash: str(f['prev_hash']), current_hash: str(f['current_hash']), prev_session: str(f['prev_session']) }, 1),
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
