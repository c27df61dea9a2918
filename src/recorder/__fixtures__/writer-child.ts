// Child process for the durability and concurrency tests. Writes lines as fast as it can and
// prints, after each emit returns, the seq it was given: the parent treats a printed seq as acknowledged.
//   writer-child <logsDir> <sessionId> <lines|forever> <durable|buffered> [rotateBytes] [barrierEvery]
// With barrierEvery > 0, every barrierEvery-th line is an ORDER_CONTEXT (a barrier) and only
// barrier seqs are printed (buffered mode promises only those); other lines are LOG lines.
import { writeSync } from 'node:fs';
import { FileSink } from '../file-sink.js';
import { Recorder } from '../recorder.js';
import { withDecision, withIntent } from '../trace-context.js';

const [logsDir, sessionId, count, mode, rotate, every] = process.argv.slice(2);
if (!logsDir || !sessionId || !count || (mode !== 'durable' && mode !== 'buffered')) {
  throw new Error('usage: writer-child <logsDir> <sessionId> <lines|forever> <durable|buffered> [rotateBytes] [barrierEvery]');
}
// stdout is a non-blocking pipe: when the parent reads slower than we print, retry rather than drop an ack.
function ack(seq: number): void {
  const text = `${seq}\n`;
  for (;;) {
    try {
      writeSync(1, text);
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EAGAIN') throw error;
    }
  }
}

const lines = count === 'forever' ? Infinity : Number(count);
const barrierEvery = Number(every ?? '0');
const sink = new FileSink(logsDir, { mode, ...(rotate && rotate !== '0' ? { rotateBytes: Number(rotate) } : {}) });
const recorder = new Recorder({ sessionId, sink });

const order = {
  symbol: 'BTC/USDT', side: 'buy', qty: 0.001, limit_px: 45000, quote_budget: 45, notional: 45, tif: 'IOC',
  slippage_bps: 20, min_notional: 5, max_retries: 3, retry_backoff_ms: 400, attempt: 1,
  attempt_start_ts: 1698765432.123, client_order_id: 'int_0123456789abcdef-1',
} as const;

withDecision('dec_20251026_123456_abc123', () =>
  withIntent('int_0123456789abcdef', () => {
    for (let i = 1; i <= lines; i++) {
      if (barrierEvery > 0) {
        if (i % barrierEvery === 0) {
          recorder.emit('ORDER_CONTEXT', order);
          ack(recorder.seq.current());
        } else {
          recorder.emit('LOG', { message: `line ${i} of ${sessionId}`, component: 'writer-child' });
        }
      } else if (mode === 'durable' && count === 'forever') {
        recorder.emit('ORDER_CONTEXT', order);
        ack(recorder.seq.current());
      } else {
        recorder.emit('ORDER_CONTEXT', order);
      }
    }
  }),
);
recorder.close();
