/**
 * Bars per second through the whole paper engine (1 symbol, the real BTC-PERP month, in process,
 * speed max): replay feed (with its preflight), paper exchange (with its state file), strategy,
 * guards, decisions, router, exits, SQLite state, with the flight recorder in durable mode (the
 * default), in buffered mode, and over a NullSink (no files): the ratios say what recording costs.
 * A fourth run, `dashboard`, is the NullSink run with the terminal dashboard wired as the CLI wires
 * it (the engine observer feeding a DashboardModel, a TerminalDashboard drawing it to a non-TTY
 * stream that discards its lines): its ratio to `null` says what the dashboard costs the engine.
 * Targets: durable >= 50k bars/s; buffered >= 150k bars/s and within 10% of the NullSink.
 * Last, the floor (floor.ts): what the required work costs per bar with each part timed alone, so
 * how fast any engine doing it could go here.
 *
 *   npm run bench:engine [-- --rounds N]      modes interleaved, N rounds, medians and bests
 *   node --cpu-prof --import tsx bench/engine/run.ts --only null --rounds 5     profile one mode
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dashboardObserver } from '../../src/cli/paper/dashboard-observer.js';
import { loadConfig } from '../../src/config/load-config.js';
import { PaperSession } from '../../src/engine/paper-session.js';
import { FileSink } from '../../src/recorder/file-sink.js';
import { NullSink, type LineSink } from '../../src/recorder/line-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { DashboardModel, loopsFromHeartbeat } from '../../src/ui/dashboard-model.js';
import { TerminalDashboard } from '../../src/ui/terminal-dashboard.js';
import { median } from '../median.js';
import { measureFloor } from './floor.js';

const BTC = resolve(import.meta.dirname, '../../../shared/data/btc-perp-20211231-20220201_1m.csv');
const MODES = ['durable', 'buffered', 'null', 'dashboard'] as const;
type Mode = (typeof MODES)[number];

interface Run {
  readonly bars: number;
  readonly ms: number;
  /** CPU time of this process during the run (all threads): a rate per CPU second is steadier on a busy machine. */
  readonly cpuMs: number;
  readonly lines: number;
  /** Order intents (buys and exits): each costs three SQLite commits. */
  readonly intents: number;
  /** Dashboard output written (plain lines), for the dashboard mode. */
  readonly dashboardWrites: number;
  readonly modelBars: number;
}

async function once(mode: Mode): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradetrace-bench-engine-'));
  try {
    const logsDir = join(dataDir, 'logs');
    const fileMode = mode === 'durable' || mode === 'buffered' ? mode : 'durable';
    const loaded = loadConfig({ env: {}, sets: ['trading.quote_currency=USD', `recorder.mode=${fileMode}`, 'paper_exchange.latency_ms=0'], cwd: process.cwd() });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const sink: LineSink = mode === 'durable' || mode === 'buffered' ? new FileSink(logsDir, { mode, rotateBytes: 1024 ** 3 }) : new NullSink();
    let lines = 0;
    const counting: LineSink = { write: (c, l, b) => { lines++; sink.write(c, l, b); }, flush: () => sink.flush(), close: () => sink.close() };
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: counting });
    const model = mode === 'dashboard' ? new DashboardModel() : undefined;
    const ref: { session?: PaperSession } = {};
    const observer = model ? dashboardObserver(model, () => ref.session) : undefined;
    const session = await PaperSession.open({
      config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [BTC] }, speed: 'max', signals: false, watchdog: false,
      ...(observer ? { observer } : {}),
    });
    ref.session = session;
    let dashboardWrites = 0;
    if (model) {
      const { coordinator } = session;
      model.setSession('session_20260101_000000', 'paper', loaded.value.config.trading.quote_currency);
      model.setLoopSource(() => loopsFromHeartbeat(coordinator.heartbeat()));
      model.attachBus(session.bus);
      const dashLoop = coordinator.registerLoop({ name: TerminalDashboard.LOOP_NAME, daemon: true, periodMs: 1000 });
      // A pipe nobody reads quickly: not a TTY, every line discarded (counted, to show it did draw).
      const stream = { write: () => { dashboardWrites++; return true; }, isTTY: false };
      const dashboard = new TerminalDashboard({ source: model, stream, summaryIntervalMs: 250, beat: () => dashLoop.beat() });
      const bus = session.bus;
      coordinator.registerComponent({ name: 'dashboard', order: 12, start: () => dashboard.start(), stop: async () => { await bus.idle(); await dashboard.stop(); } });
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await session.run();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    recorder.close();
    if (result.reason !== 'data_end') throw new Error(`bench session ended with ${result.reason}: ${result.error?.message ?? ''}`);
    return { bars: session.stats.bars, ms, cpuMs, lines, intents: session.stats.intents, dashboardWrites, modelBars: model?.view(Date.now()).bars ?? 0 };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (rate: number): string => Math.round(rate).toLocaleString('en-US').padStart(9);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, only: { type: 'string' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds ${values.rounds}: expected a whole number >= 1`);
  if (values.only !== undefined) {
    const only = MODES.find((m) => m === values.only);
    if (!only) throw new RangeError(`--only ${values.only}: expected one of ${MODES.join(', ')}`);
    for (let round = 0; round < rounds; round++) {
      const run = await once(only);
      console.log(`${only}: ${Math.round(run.bars / (run.ms / 1000))} bars/s, ${Math.round(run.bars / (run.cpuMs / 1000))} bars per CPU second`);
    }
    return;
  }
  await once('null'); // warm the JIT and the file cache
  const runs = new Map<Mode, Run[]>(MODES.map((m) => [m, []]));
  for (let round = 0; round < rounds; round++) {
    // Interleaved, so a noisy neighbour slows every mode alike instead of one.
    // Rotated each round too, so no mode always runs right after the heaviest one.
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + round) % MODES.length] as Mode;
      runs.get(mode)?.push(await once(mode));
    }
  }
  const rates = (mode: Mode): number[] => (runs.get(mode) ?? []).map((r) => r.bars / (r.ms / 1000));
  const med = (mode: Mode): number => median(rates(mode));
  const cpuRate = (mode: Mode): number => median((runs.get(mode) ?? []).map((r) => r.bars / (r.cpuMs / 1000)));
  const first = runs.get('null')?.[0];
  // A ratio taken within one round sees the same machine weather as its baseline: the median of those.
  const vsNull = (mode: Mode): number => median((runs.get(mode) ?? []).map((r, i) => (runs.get('null')?.[i]?.ms ?? NaN) / r.ms));
  console.log(`engine bench: ${first?.bars ?? 0} bars of BTC-PERP, ${rounds} rounds interleaved, ${first?.lines ?? 0} lines per run`);
  console.log(`  mode         median bars/s      best bars/s   vs NullSink (paired)   bars per CPU s (median)`);
  for (const mode of MODES) {
    const ms = median((runs.get(mode) ?? []).map((r) => r.ms));
    console.log(`  ${mode.padEnd(10)} ${fmt(med(mode))} (${ms.toFixed(0).padStart(4)} ms)  ${fmt(Math.max(...rates(mode)))}   ${vsNull(mode).toFixed(3)}x           ${fmt(cpuRate(mode))}`);
  }
  // Where the time goes, per bar (medians): the engine alone is the NullSink run; what a recorder
  // mode adds on top is its run's time less that. A mode can never beat the engine alone.
  const perBarUs = (mode: Mode): number => 1e6 / med(mode);
  const linesPerBar = (first?.lines ?? 0) / (first?.bars || 1);
  const engineUs = perBarUs('null');
  console.log(`  per bar: the engine alone ${engineUs.toFixed(1)} us (${linesPerBar.toFixed(2)} lines); recording adds ${(perBarUs('durable') - engineUs).toFixed(1)} us durable (${((perBarUs('durable') - engineUs) / linesPerBar).toFixed(2)} us per line), ${(perBarUs('buffered') - engineUs).toFixed(1)} us buffered`);
  console.log(`  so with this engine: buffered can reach at most ${fmt(med('null')).trim()} bars/s; 150,000 bars/s needs the engine itself at ${(1e6 / 150_000).toFixed(1)} us per bar`);
  // The floor: the work any engine must do for these bars, each part timed alone (see floor.ts).
  const floor = await measureFloor(BTC);
  const ordersPerBar = (first?.intents ?? 0) / (first?.bars || 1);
  const commitsUs = 3 * floor.commitUs * ordersPerBar;
  const floorUs = floor.decisionUs + floor.readUs + commitsUs;
  const bufferedAddsUs = perBarUs('buffered') - engineUs;
  console.log(
    `  floor per bar, each part alone in a hot loop: decision lines ${floor.decisionUs.toFixed(2)} us + candle scan and parse ${floor.readUs.toFixed(2)} us + ` +
      `3 commits of ${floor.commitUs.toFixed(0)} us for ${first?.intents ?? 0} orders (${commitsUs.toFixed(2)} us per bar) = ${floorUs.toFixed(2)} us`,
  );
  console.log(
    `  so no engine doing this work passes ${fmt(1e6 / floorUs).trim()} bars/s on the NullSink, or ${fmt(1e6 / (floorUs + bufferedAddsUs)).trim()} buffered ` +
      `(+${bufferedAddsUs.toFixed(1)} us of buffered writing, measured above); the engine alone is ${(engineUs / floorUs).toFixed(1)}x that floor`,
  );
  // What this machine charges for recording, whatever the engine (see floor.ts): a durable line is
  // one write(2) before emit returns, and buffered writing still keeps, joins and writes every byte.
  const durableAddsUs = perBarUs('durable') - engineUs;
  console.log(
    `  this machine: one write(2) costs ${floor.syscallUs.toFixed(2)} us (one byte to /dev/null); durable mode makes one per line, ${linesPerBar.toFixed(2)} per bar, ` +
      `so ${(linesPerBar * floor.syscallUs).toFixed(1)} us per bar go to system calls alone (measured above, durable adds ${durableAddsUs.toFixed(1)} us per bar: ${(durableAddsUs / linesPerBar).toFixed(2)} us per line)`,
  );
  console.log(
    `  so durable >= 50,000 bars/s (20 us per bar) leaves ${(20 - durableAddsUs).toFixed(1)} us per bar for all the rest, whose floor alone is ${floorUs.toFixed(2)} us; ` +
      `buffered writing adds at least ${floor.bufferedLinesUs.toFixed(2)} us per decision in a hot loop, and within 10% of the NullSink at 150,000 bars/s allows at most ${((1e6 / 150_000) * 0.1).toFixed(2)} us`,
  );
  const dash = runs.get('dashboard')?.[0];
  console.log(`  dashboard: model saw ${dash?.modelBars ?? 0} bars, ${dash?.dashboardWrites ?? 0} plain lines drawn; engine with it at ${vsNull('dashboard').toFixed(3)}x of without`);
  // Rounds that cleared each target: on a shared machine a median near a line says little alone.
  const roundsAtLeast = (values: readonly number[], bar: number): string => `${values.filter((v) => v >= bar).length} of ${values.length} rounds`;
  const bufferedPairs = (runs.get('buffered') ?? []).map((r, i) => (runs.get('null')?.[i]?.ms ?? NaN) / r.ms);
  console.log(
    `  targets (medians): durable >= 50,000 bars/s: ${med('durable') >= 50_000 ? 'met' : 'NOT met'} (${roundsAtLeast(rates('durable'), 50_000)}); ` +
      `buffered >= 150,000 bars/s: ${med('buffered') >= 150_000 ? 'met' : 'NOT met'} (${roundsAtLeast(rates('buffered'), 150_000)}); ` +
      `buffered within 10% of NullSink: ${vsNull('buffered') >= 0.9 ? 'met' : 'NOT met'} (${roundsAtLeast(bufferedPairs, 0.9)})`,
  );
}

await main();
