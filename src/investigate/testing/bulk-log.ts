import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_CONFIG } from './incidents.js';
import { SessionWriter, type ThreadState } from './session-writer.js';

/** What the benchmark needs to know about the generated log. */
export interface GeneratedLog {
  readonly dataDir: string;
  readonly bytes: number;
  readonly lines: number;
  /** A filled decision (with retries and a later exit) near the middle of the log, and one near its start. */
  readonly middle: string;
  readonly early: string;
  /** A filled decision near 40% of the log whose position is sold near 75%: far past its window. */
  readonly late: string;
  /** A filled decision near the middle whose position is never sold (still open at the end). */
  readonly unsold: string;
  /** Every 400th decision's id, when it was blocked: spread over the whole log. */
  readonly blocked: string[];
}

const LOOPS: ThreadState[] = ['DecisionLoop', 'MarketDataLoop', 'DashboardLoop'].map((name) => ({ name, alive: true, lastBeatAgeS: 1.5 }));
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];

/**
 * Writes about `targetBytes` of realistic logs through the real Recorder and FileSink (buffered mode,
 * the default 256 MiB rotation), reusing an earlier run when its marker is there.
 */
export function generateLog(outDir: string, targetBytes: number): GeneratedLog {
  const marker = join(outDir, 'generated.json');
  if (existsSync(marker)) {
    const previous = JSON.parse(readFileSync(marker, 'utf8')) as GeneratedLog;
    if (previous.bytes >= targetBytes * 0.95 && previous.late && previous.unsold) return previous;
  }
  rmSync(outDir, { recursive: true, force: true });
  const dataDir = join(outDir, 'data');
  const s = new SessionWriter({ dataDir, sessionId: 'session_20251026_000000', start: new Date('2025-10-26T00:00:00.000Z'), config: BASE_CONFIG, sinkMode: 'buffered' });
  let bytes = 0;
  let lines = 0;
  s.recorder.onLine((_type, _fields, line) => {
    bytes += line.length;
    lines++;
  });
  let early = '';
  let middle = '';
  let late = '';
  let unsold = '';
  let lateSymbol = 'BTC/USDT';
  let lateSold = false;
  const blocked: string[] = [];
  const open: { id: string; symbol: string; at: number }[] = [];
  for (let i = 0; bytes < targetBytes; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length] ?? 'BTC/USDT';
    s.tick(250);
    if (i % 120 === 0) s.heartbeat(LOOPS);
    if (i % 3 === 0) s.noSignal(symbol, '45000');
    else if (i % 3 === 1) {
      const id = s.blocked(symbol, 'max_open_positions', 3, 3, '3 positions open, the maximum is 3');
      if (i % 400 === 1) blocked.push(id);
    }
    else if (i % 15 === 2) {
      const r = s.buy({ symbol, price: '45000.5', qty: '0.001', quoteBudget: '45', failure: { reason: 'min_notional', message: 'notional below min_notional 5' } });
      if (!early && bytes > targetBytes * 0.03) early = r.decisionId;
    } else {
      const r = s.buy({ symbol, price: '45000.5', qty: '0.001', quoteBudget: '45', retries: [{ retry: 'timeout', message: 'request timed out after 5000ms' }] });
      if (!late && bytes > targetBytes * 0.4) {
        late = r.decisionId;
        lateSymbol = symbol;
      } else if (!unsold && bytes > targetBytes * 0.52) unsold = r.decisionId;
      else open.push({ id: r.decisionId, symbol, at: i });
      if (!middle && bytes > targetBytes / 2) middle = r.decisionId;
    }
    // Positions close about 400 decisions (~100 s of log time) later, so exits interleave with new decisions.
    while (open.length > 0 && (open[0]?.at ?? i) < i - 400) {
      const p = open.shift();
      if (p) s.exit(p.id, p.symbol, '45000.5', '45100', '0.001', 0);
    }
    if (late && !lateSold && bytes > targetBytes * 0.75) {
      s.exit(late, lateSymbol, '45000.5', '44900', '0.001', 0);
      lateSold = true;
    }
  }
  s.end('completed', 0);
  const result: GeneratedLog = { dataDir, bytes, lines, middle, early, late, unsold, blocked };
  writeFileSync(marker, JSON.stringify(result, null, 2));
  return result;
}
