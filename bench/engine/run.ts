/**
 * Bars per second through the whole paper engine (1 symbol, the real BTC-PERP month, in process,
 * speed max, no dashboard): replay feed, paper exchange, strategy, guards, decisions, router, exits,
 * SQLite state, with the flight recorder in durable mode (the default), in buffered mode, and over a
 * NullSink (no files): the ratios say what recording costs. Targets: durable >= 50k bars/s;
 * buffered >= 150k bars/s and within 10% of the NullSink.
 *
 *   npm run bench:engine [-- --rounds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/load-config.js';
import { PaperSession } from '../../src/engine/paper-session.js';
import { FileSink } from '../../src/recorder/file-sink.js';
import { NullSink, type LineSink } from '../../src/recorder/line-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';

const BTC = resolve(import.meta.dirname, '../../../shared/data/btc-perp-20211231-20220201_1m.csv');
type Mode = 'durable' | 'buffered' | 'null';

async function once(mode: Mode): Promise<{ bars: number; ms: number; lines: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tradetrace-bench-engine-'));
  try {
    const logsDir = join(dataDir, 'logs');
    const loaded = loadConfig({ env: {}, sets: ['trading.quote_currency=USD', `recorder.mode=${mode === 'null' ? 'durable' : mode}`, 'paper_exchange.latency_ms=0'], cwd: process.cwd() });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const sink: LineSink = mode === 'null' ? new NullSink() : new FileSink(logsDir, { mode, rotateBytes: 1024 ** 3 });
    let lines = 0;
    const counting: LineSink = { write: (c, l, b) => { lines++; sink.write(c, l, b); }, flush: () => sink.flush(), close: () => sink.close() };
    const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: counting });
    const session = await PaperSession.open({
      config: loaded.value.config, recorder, dataDir, logsDir, feed: { kind: 'replay', files: [BTC] }, speed: 'max', signals: false, watchdog: false,
    });
    const started = performance.now();
    const result = await session.run();
    const ms = performance.now() - started;
    recorder.close();
    if (result.reason !== 'data_end') throw new Error(`bench session ended with ${result.reason}: ${result.error ?? ''}`);
    return { bars: session.stats.bars, ms, lines };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, only: { type: 'string' } } });
  const rounds = Number(values.rounds);
  if (values.only !== undefined) {
    // For profiling one mode: node --cpu-prof --import tsx bench/engine/run.ts --only null
    for (let round = 0; round < rounds; round++) {
      const run = await once(values.only as Mode);
      console.log(`${values.only}: ${Math.round(run.bars / (run.ms / 1000))} bars/s`);
    }
    return;
  }
  const modes: Mode[] = ['durable', 'buffered', 'null'];
  await once('null'); // warm the JIT and the file cache
  const best = new Map<Mode, { bars: number; ms: number; lines: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      const run = await once(mode);
      const prev = best.get(mode);
      if (!prev || run.ms < prev.ms) best.set(mode, run);
    }
  }
  const rate = (mode: Mode) => { const r = best.get(mode)!; return r.bars / (r.ms / 1000); };
  console.log(`engine bench: ${best.get('null')!.bars} bars of BTC-PERP, best of ${rounds} rounds, ${best.get('null')!.lines} lines per run`);
  for (const mode of modes) {
    const r = best.get(mode)!;
    console.log(`  ${mode.padEnd(9)} ${Math.round(rate(mode)).toLocaleString('en-US').padStart(9)} bars/s  (${r.ms.toFixed(0)} ms, ${(r.lines / (r.ms / 1000) / 1000).toFixed(0)}k lines/s)  ${(rate(mode) / rate('null')).toFixed(3)}x of NullSink`);
  }
  console.log(`  targets: durable >= 50,000 bars/s: ${rate('durable') >= 50_000 ? 'met' : 'NOT met'}; buffered >= 150,000 bars/s: ${rate('buffered') >= 150_000 ? 'met' : 'NOT met'}; buffered within 10% of NullSink: ${rate('buffered') >= 0.9 * rate('null') ? 'met' : 'NOT met'}`);
}

await main();
