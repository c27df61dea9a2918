// npm run bench:runtime: what a loop's beat() and a dashboard emit() cost, against the
// alternatives measured in the same run. Lines go to a NullSink so the figures are the CPU cost of
// the runtime layer and serialization, not of the disk.
import { NullSink } from '../../src/recorder/line-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { CallSiteResolver } from '../../src/runtime/call-site.js';
import { DashboardBus } from '../../src/runtime/dashboard-bus.js';
import { ShutdownCoordinator } from '../../src/runtime/shutdown-coordinator.js';

const ROUNDS = 7;

/** Best-of-rounds nanoseconds per call: the least disturbed round on a shared machine. */
function measure(name: string, iterations: number, body: (i: number) => void): { name: string; ns: number } {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) body(i);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) body(i);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations);
  }
  return { name, ns: best };
}

function table(title: string, rows: { name: string; ns: number }[], baseline: string): void {
  const base = rows.find((row) => row.name === baseline)?.ns ?? 1;
  console.log(`\n${title}`);
  for (const row of rows) console.log(`  ${row.name.padEnd(52)} ${row.ns.toFixed(1).padStart(9)} ns/call   ${(row.ns / base).toFixed(2).padStart(7)}x ${row.name === baseline ? '(baseline)' : ''}`);
}

const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new NullSink() });

// beat(): an Atomics store into shared memory the watchdog thread reads.
const coordinator = new ShutdownCoordinator({ recorder, logsDir: '/unused', watchdog: false, exit: () => undefined });
const loop = coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs: 1000 });
const lastBeat = new Map<string, number>();
let sink = 0;
table(
  'beat()',
  [
    measure('Date.now() alone (the floor)', 2_000_000, () => (sink += Date.now())),
    measure('Map.set(name, Date.now()) (main-thread only)', 2_000_000, () => lastBeat.set('DecisionLoop', Date.now())),
    measure('LoopHandle.beat() (shared memory, ring buffer)', 2_000_000, () => loop.beat()),
  ],
  'Date.now() alone (the floor)',
);

// emit(): DASH_EVENT with and without finding the caller's file:line.
const withSource = new DashboardBus({ recorder });
const withoutSource = new DashboardBus({ recorder, captureSource: false });
const subscribed = new DashboardBus({ recorder });
subscribed.subscribe('terminal', () => undefined);
const fields = { dashboard_event_type: 'BUY_FILLED', message: 'BTC/USDT @ $45000.00', source: 'src/engine/buy-decision.ts:142', timestamp: '12:34:56' };
const root = withSource.projectRoot;
function uncachedCaller(): string {
  return new CallSiteResolver(root).callerOf(1);
}
const rows = [
  measure('recorder.emit(DASH_EVENT) with a fixed source', 300_000, () => recorder.emit('DASH_EVENT', fields)),
  measure('bus.emit() without source capture', 300_000, () => withoutSource.emit('BUY_FILLED', 'BTC/USDT @ $45000.00')),
  measure('bus.emit() with source capture (cached call site)', 300_000, () => withSource.emit('BUY_FILLED', 'BTC/USDT @ $45000.00')),
  measure('source capture, first call at a site (uncached)', 20_000, () => (sink += uncachedCaller().length)),
];
table('emit()', rows, 'recorder.emit(DASH_EVENT) with a fixed source');
// Delivery runs on setImmediate; measured apart so its queue drains between rounds.
const delivered = measure('bus.emit() with source + 1 subscriber', 20_000, () => subscribed.emit('BUY_FILLED', 'BTC/USDT @ $45000.00'));
await subscribed.idle();
table('emit() with a subscriber (delivery queued, not run, per call)', [rows[2] ?? delivered, delivered], rows[2]?.name ?? delivered.name);
if (sink === 42) console.log(sink);
