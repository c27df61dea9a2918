/**
 * The work every engine run must do, each part measured alone in a hot loop (so faster than inside
 * the engine, where it shares caches with everything else): a lower bound on the cost per bar.
 * - the three lines every bar's decision writes (DECISION_START, a guard's BUY_BLOCKED, DECISION_END),
 *   with a new decision id and its trace context, on a NullSink: the spec asks one decision per bar;
 * - reading the candle file: the preflight scan, then the replay's parse into exact Decimals;
 * - three SQLite commits per order (recorded before it is sent, the paper account, the booked fill),
 *   each the smallest one possible: one small row into a 1 KB-page WAL file, as our files are opened.
 * And what this machine charges for the recording itself, whatever the engine:
 * - one write(2) of one byte to /dev/null: the least any durable line costs (one write each, done
 *   before emit returns: the durability contract), the file system aside;
 * - the same three lines into a buffered FileSink instead of the NullSink: what buffered writing
 *   (lines kept, joined, written 64 KB at a time) adds per decision at the least.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal } from '../../src/domain/decimal.js';
import { newDecisionId } from '../../src/domain/ids.js';
import { isoTime } from '../../src/market-data/bar.js';
import { ReplayFeed } from '../../src/market-data/replay-feed.js';
import { FileSink } from '../../src/recorder/file-sink.js';
import { NullSink, type LineSink } from '../../src/recorder/line-sink.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { withDecision } from '../../src/recorder/trace-context.js';
import { median } from '../median.js';

export interface Floor {
  /** Three lines of one blocked decision, us. */
  readonly decisionUs: number;
  /** Scan and parse of one bar of the file, us. */
  readonly readUs: number;
  /** One minimal WAL commit, us. */
  readonly commitUs: number;
  /** One write(2) of one byte to /dev/null, us. */
  readonly syscallUs: number;
  /** What a buffered FileSink adds to the three lines of one decision over the NullSink, us. */
  readonly bufferedLinesUs: number;
}

const DECISIONS = 100_000;
const COMMITS = 2_000;
const SYSCALLS = 100_000;
const BUFFERED_DECISIONS = 20_000;

function decisionUs(sink: LineSink = new NullSink(), decisions = DECISIONS): number {
  const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink });
  const prices = Array.from({ length: 1000 }, (_, i) => Decimal.parse(`${46000 + i}.${i % 10}`));
  const t0 = Date.UTC(2022, 0, 1);
  const decide = (i: number): void => {
    withDecision(newDecisionId(t0 + i * 60_000), () => {
      const started = performance.now();
      recorder.emit('DECISION_START', { symbol: 'BTC/USD', bar_ts: isoTime(t0 + i * 60_000), price: prices[i % prices.length] ?? Decimal.ONE, strategy: 'ema_rsi' });
      recorder.emit('BUY_BLOCKED', { symbol: 'BTC/USD', guard: 'max_open_positions', observed: 1, threshold: 1, message: 'open positions 1 of at most 1' });
      recorder.emit('DECISION_END', { symbol: 'BTC/USD', outcome: 'blocked', duration_ms: Math.round((performance.now() - started) * 1000) / 1000, reason: 'max_open_positions' });
    });
  };
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < decisions; i++) decide(round * decisions + i);
    rounds.push(((performance.now() - started) * 1000) / decisions);
  }
  recorder.close();
  return median(rounds.slice(1));
}

function syscallUs(): number {
  const fd = openSync('/dev/null', 'w');
  const byte = Buffer.from('x');
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < SYSCALLS; i++) writeSync(fd, byte);
    rounds.push(((performance.now() - started) * 1000) / SYSCALLS);
  }
  closeSync(fd);
  return median(rounds.slice(1));
}

/** Decisions into a buffered FileSink less the same into the NullSink, alternated so both see the same machine. */
function bufferedLinesUs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'tradetrace-bench-floor-'));
  try {
    const deltas: number[] = [];
    for (let round = 0; round < 3; round++) {
      // Fewer decisions than the NullSink floor: each round writes about 1 KB per decision to disk.
      const alone = decisionUs(new NullSink(), BUFFERED_DECISIONS);
      deltas.push(decisionUs(new FileSink(dir, { mode: 'buffered', rotateBytes: 1024 ** 3 }), BUFFERED_DECISIONS) - alone);
      rmSync(join(dir, 'decisions.jsonl'), { force: true });
    }
    return median(deltas);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readUs(file: string): Promise<number> {
  const recorder = new Recorder({ sessionId: 'session_20260101_000000', sink: new NullSink() });
  const rounds: number[] = [];
  for (let round = 0; round < 4; round++) {
    const started = performance.now();
    const feed = await ReplayFeed.open({ files: [file], speed: 'max', recorder, preflight: true });
    let bars = 0;
    await feed.start(() => void bars++);
    rounds.push(((performance.now() - started) * 1000) / bars);
  }
  return median(rounds.slice(1));
}

function commitUs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'tradetrace-bench-floor-'));
  try {
    const db = new Database(join(dir, 'floor.sqlite'));
    db.pragma('page_size = 1024');
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const commit = db.transaction((body: string) => insert.run(body));
    const body = 'x'.repeat(200);
    const rounds: number[] = [];
    for (let round = 0; round < 4; round++) {
      const started = performance.now();
      for (let i = 0; i < COMMITS; i++) commit(body);
      rounds.push(((performance.now() - started) * 1000) / COMMITS);
    }
    db.close();
    return median(rounds.slice(1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureFloor(file: string): Promise<Floor> {
  return { decisionUs: decisionUs(), readUs: await readUs(file), commitUs: commitUs(), syscallUs: syscallUs(), bufferedLinesUs: bufferedLinesUs() };
}
