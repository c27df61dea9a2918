import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino from 'pino';
import { Decimal } from '../../src/domain/decimal.js';
import winston from 'winston';
import { FileSink, type RecorderMode } from '../../src/recorder/file-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { withDecision, withIntent } from '../../src/recorder/trace-context.js';

/** One contender: writes `lines` lines to a file under `dir` and resolves once they are all in the file. */
export interface Contender {
  readonly name: string;
  readonly run: (dir: string, lines: number) => Promise<void>;
}

const SESSION_ID = 'session_20251026_102636';
const DECISION_ID = 'dec_20251026_123456_abc123';
const INTENT_ID = 'int_0123456789abcdef';

/** The spec's ORDER_CONTEXT example (services/order_router.py), plus the client order id the router adds. */
export const ORDER_CONTEXT = {
  symbol: 'BTC/USDT',
  side: 'buy',
  qty: 0.001,
  limit_px: 45000.0,
  quote_budget: 45.0,
  notional: 45.0,
  tif: 'IOC',
  slippage_bps: 20,
  min_notional: 5.0,
  max_retries: 3,
  retry_backoff_ms: 400,
  attempt: 1,
  attempt_start_ts: 1698765432.123,
  client_order_id: `${INTENT_ID}-1`,
} as const;

/** The same event as the order router emits it: money and quantities as exact Decimals. */
export const ORDER_CONTEXT_DECIMALS = {
  ...ORDER_CONTEXT,
  qty: Decimal.parse('0.001'),
  limit_px: Decimal.parse('45000.0'),
  quote_budget: Decimal.parse('45.0'),
  notional: Decimal.parse('45.0'),
  min_notional: Decimal.parse('5.0'),
};

/** A decision-channel event (not a barrier), for the buffered comparison. */
export const BUY_CANDIDATE = { symbol: 'BTC/USDT', quote_budget: 45, qty: 0.001, limit_px: 45000, ref_px: 44910.2, notional: 45 } as const;

export function tradetrace(name: string, mode: RecorderMode, event: 'ORDER_CONTEXT' | 'BUY_CANDIDATE', decimals = false): Contender {
  const order = decimals ? ORDER_CONTEXT_DECIMALS : ORDER_CONTEXT;
  return {
    name,
    run: (dir, lines) => {
      const recorder = new Recorder({ sessionId: SESSION_ID, sink: new FileSink(dir, { mode }) });
      withDecision(DECISION_ID, () =>
        withIntent(INTENT_ID, () => {
          if (event === 'ORDER_CONTEXT') for (let i = 0; i < lines; i++) recorder.emit('ORDER_CONTEXT', order);
          else for (let i = 0; i < lines; i++) recorder.emit('BUY_CANDIDATE', BUY_CANDIDATE);
        }),
      );
      recorder.close();
      return Promise.resolve();
    },
  };
}

/**
 * Not a logger: the ORDER_CONTEXT line tradetrace writes, made once, then written with one bare
 * `writeSync` per line. No logger that writes each line with one call can beat it, so its ratio to
 * pino is the most any of them can show on this machine's disk.
 */
export function bareWrite(): Contender {
  return {
    name: 'bare writeSync of a ready line (the ceiling)',
    run: (dir, lines) => {
      const line = `{"ts":"2026-01-01T00:00:00.000Z","level":"info","event_type":"ORDER_CONTEXT","session_id":"${SESSION_ID}","seq":1,"decision_id":"${DECISION_ID}","intent_id":"${INTENT_ID}",${JSON.stringify(ORDER_CONTEXT).slice(1)}\n`;
      const fd = openSync(join(dir, 'bare.jsonl'), 'a');
      try {
        for (let i = 0; i < lines; i++) writeSync(fd, line);
      } finally {
        closeSync(fd);
      }
      return Promise.resolve();
    },
  };
}

/** pino with its fastest idiom for context: a child logger whose bindings are serialized once. */
export function pinoLogger(name: string, sync: boolean, event: 'ORDER_CONTEXT' | 'BUY_CANDIDATE'): Contender {
  return {
    name,
    run: async (dir, lines) => {
      const destination = pino.destination({ dest: join(dir, 'pino.jsonl'), sync, mkdir: true });
      const logger = pino({ base: null }, destination).child({ session_id: SESSION_ID, decision_id: DECISION_ID, intent_id: INTENT_ID });
      const fields = event === 'ORDER_CONTEXT' ? { event_type: 'ORDER_CONTEXT', ...ORDER_CONTEXT } : { event_type: 'BUY_CANDIDATE', ...BUY_CANDIDATE };
      for (let i = 0; i < lines; i++) logger.info(fields);
      if (!sync) await once(destination, 'ready').catch(() => undefined);
      destination.flushSync();
      destination.end();
    },
  };
}

export function winstonLogger(): Contender {
  return {
    name: 'winston (File transport)',
    run: async (dir, lines) => {
      const transport = new winston.transports.File({ filename: join(dir, 'winston.jsonl') });
      const logger = winston.createLogger({
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
        defaultMeta: { session_id: SESSION_ID, decision_id: DECISION_ID, intent_id: INTENT_ID },
        transports: [transport],
      });
      // Ending a winston logger while lines are still queued throws "write after end" (winston#1504):
      // count the transport's 'logged' events instead, then close.
      let logged = 0;
      const allLogged = new Promise<void>((done) => {
        transport.on('logged', () => {
          if (++logged === lines) done();
        });
      });
      for (let i = 0; i < lines; i++) logger.info('ORDER_CONTEXT', ORDER_CONTEXT);
      await allLogged;
      const finished = once(transport, 'finish');
      logger.end();
      await finished;
    },
  };
}

interface BunyanLogger {
  info(fields: object, message: string): void;
}
interface BunyanModule {
  createLogger(options: { name: string; streams: { path: string }[] }): BunyanLogger & { streams: { stream: NodeJS.WritableStream }[] };
}

export function bunyanLogger(): Contender {
  // bunyan is CommonJS without an ESM default export shape the types agree on; load it as Node does.
  const bunyan = createRequire(import.meta.url)('bunyan') as BunyanModule;
  return {
    name: 'bunyan (file stream)',
    run: async (dir, lines) => {
      const logger = bunyan.createLogger({ name: 'bench', streams: [{ path: join(dir, 'bunyan.jsonl') }] });
      const bound = { session_id: SESSION_ID, decision_id: DECISION_ID, intent_id: INTENT_ID, event_type: 'ORDER_CONTEXT', ...ORDER_CONTEXT };
      for (let i = 0; i < lines; i++) logger.info(bound, 'ORDER_CONTEXT');
      const stream = logger.streams[0]?.stream;
      if (!stream) throw new Error('bunyan created no file stream');
      const finished = once(stream, 'finish');
      stream.end();
      await finished;
    },
  };
}
