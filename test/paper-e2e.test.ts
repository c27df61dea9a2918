import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/domain/decimal.js';
import { readLogs, type ReadBack } from '../src/recorder/__fixtures__/read-logs.js';
import type { AnyEventLine } from '../src/recorder/events/catalog.js';
import { PROJECT_ROOT, runCli, type CliResult } from './support/cli.js';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

/** The spec's summary table: every one of these must be in the logs of a paper session. */
const SPEC_EVENTS = [
  'ORDER_CONTEXT', 'DECISION_START', 'BUY_BLOCKED', 'BUY_TRIGGERED', 'BUY_CANDIDATE', 'BUY_ORDER', 'SELL_FILLED',
  'CONFIG_HASH', 'CONFIG_DIFF', 'CONFIG_OVERRIDES', 'SHUTDOWN_HEARTBEAT', 'DASH_EVENT',
] as const;

/** The fields the spec lists for ORDER_CONTEXT (section 1). */
const ORDER_CONTEXT_FIELDS = [
  'intent_id', 'symbol', 'side', 'qty', 'limit_px', 'quote_budget', 'notional', 'tif', 'slippage_bps', 'min_notional',
  'max_retries', 'retry_backoff_ms', 'attempt', 'attempt_start_ts',
];

const available = sharedDataAvailable();

/** Runs a command line with the real shell and grep, in the data directory, as the spec's examples do. */
function sh(dataDir: string, command: string): string {
  try {
    return execFileSync('sh', ['-c', command], { cwd: dataDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return ''; // grep found nothing
    throw error;
  }
}

function field(line: AnyEventLine, name: string): unknown {
  return (line as unknown as Record<string, unknown>)[name];
}

function types(text: string): string[] {
  return text.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { event_type: string }).event_type);
}

function bySeq(text: string): { event_type: string; seq: number }[] {
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { event_type: string; seq: number }).sort((a, b) => a.seq - b.seq);
}

async function paper(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['paper', '--speed', 'max', ...args], { env: { ENABLE_LIVE_DASHBOARD: 'false', ...env }, timeoutMs: 240_000 });
}

describe.skipIf(!available)('paper session end to end on the real BTC-PERP month (45,031 bars, full speed)', () => {
  const dataDir = join(tempDir('tradetrace-paper-e2e-'), 'data');
  let first: CliResult;
  let second: CliResult;
  let logs: ReadBack;

  beforeAll(async () => {
    // Injected rejections and timeouts so failed orders and retries are in the record too.
    first = await paper([
      '--data', BTC_PERP_CSV, '--data-dir', dataDir, '--set', 'trading.quote_currency=USD', '--set', 'runtime.heartbeat_interval=1s',
      '--set', 'paper_exchange.fault_reject=0.05', '--set', 'paper_exchange.fault_timeout=0.1',
    ]);
    // A second run on the same data directory with one key changed: CONFIG_DIFF. It resumes after the
    // last bar the state knows, so it only warms the indicators and ends with the data.
    second = await paper(['--data', BTC_PERP_CSV, '--data-dir', dataDir, '--set', 'trading.quote_currency=USD', '--set', 'execution.slippage_bps=25']);
    logs = await readLogs(join(dataDir, 'logs'));
  }, 480_000);

  it('ends both sessions with data_end and a ready-to-run trace command of a decision of the session', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const ends = logs.lines.filter((l) => l.event_type === 'SESSION_END');
    expect(ends.map((l) => field(l, 'reason'))).toEqual(['data_end', 'data_end']);
    const command = /tradetrace trace (dec_\d{8}_\d{6}_[0-9a-f]{6}) --data-dir (\S+)\n$/.exec(first.stdout);
    expect(command, first.stdout.slice(-800)).not.toBeNull();
    const [, decisionId, dir] = command ?? [];
    expect(dir).toBe(dataDir);
    const sessionId = ends[0] ? ends[0].session_id : '';
    expect(logs.lines.some((l) => l.decision_id === decisionId && l.session_id === sessionId && l.event_type === 'SELL_FILLED')).toBe(true);
    expect(first.stdout).toMatch(/decisions\s+45031: blocked \d+, no_signal \d+, filled \d+, failed \d+( \(\d+ of them filled late: [^)]+\))?, error 0/);
  });

  it('counts in its summary the failed decisions whose order the exchange filled after the router gave up', () => {
    const sessionId = logs.lines.find((l) => l.event_type === 'SESSION_START')?.session_id;
    const ofFirst = logs.lines.filter((l) => l.session_id === sessionId);
    const failed = new Set(ofFirst.filter((l) => l.event_type === 'DECISION_END' && field(l, 'outcome') === 'failed').map((l) => l.decision_id));
    const lateBuys = new Set(ofFirst.filter((l) => l.event_type === 'BUY_FILLED' && failed.has(l.decision_id)).map((l) => l.decision_id)).size;
    const end = ofFirst.find((l) => l.event_type === 'SESSION_END');
    expect(end && (field(end, 'summary') as { filled_late: { buys: number } }).filled_late.buys).toBe(lateBuys);
    if (lateBuys > 0) expect(first.stdout).toContain(`(${lateBuys} of them filled late: the exchange filled the order after the decision ended)`);
  });

  it('writes every event type of the spec, and every line of every file validates against the catalog', () => {
    expect(logs.bad).toEqual([]);
    const seen = new Set<string>(logs.lines.map((l) => l.event_type));
    for (const type of SPEC_EVENTS) expect(seen.has(type), type).toBe(true);
    for (const type of ['ORDER_FAILED', 'ORDER_FILLED', 'BUY_FILLED', 'EXIT_TRIGGERED', 'DECISION_END', 'STATE_RECOVERED', 'RECONCILE_COMPLETE', 'SHUTDOWN_COMPLETE', 'FEED_END']) {
      expect(seen.has(type), type).toBe(true);
    }
    expect(logs.lines.filter((l) => l.event_type === 'SHUTDOWN_HEARTBEAT' && field(l, 'trigger') === 'interval').length).toBeGreaterThan(0);
  });

  it('gives every decision exactly one DECISION_START and one DECISION_END, one per bar of the first session', () => {
    const firstSession = logs.lines.find((l) => l.event_type === 'SESSION_START')?.session_id;
    const firstStarts = logs.lines.filter((l) => l.event_type === 'DECISION_START' && l.session_id === firstSession);
    expect(firstStarts).toHaveLength(45_031);
    // The second session resumed after the last decided bar: it decided nothing again.
    expect(second.stdout).toMatch(/bars\s+45031 \(45031 only warmed the indicators: this data directory's clock is past these candles; replay into a fresh --data-dir to decide them\)/);
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    for (const line of logs.lines) {
      if (line.event_type === 'DECISION_START') starts.set(line.decision_id ?? '', (starts.get(line.decision_id ?? '') ?? 0) + 1);
      if (line.event_type === 'DECISION_END') ends.set(line.decision_id ?? '', (ends.get(line.decision_id ?? '') ?? 0) + 1);
    }
    expect(starts.size).toBe(45_031);
    expect([...starts.values()].every((n) => n === 1)).toBe(true);
    expect([...ends.entries()].sort()).toEqual([...starts.entries()].sort());
  });

  it('writes every field of the spec in every ORDER_CONTEXT line, before the order it describes', () => {
    const contexts = logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT');
    expect(contexts.length).toBeGreaterThan(100);
    for (const line of contexts) for (const name of ORDER_CONTEXT_FIELDS) expect(field(line, name), `${name} in seq ${line.seq}`).not.toBeUndefined();
    const contextSeq = new Map(contexts.map((l) => [field(l, 'client_order_id'), l.seq]));
    for (const submitted of logs.lines.filter((l) => l.event_type === 'ORDER_SUBMITTED')) {
      expect(contextSeq.get(field(submitted, 'client_order_id'))).toBeLessThan(submitted.seq);
    }
  });

  it("answers the spec's decision-chain grep with DECISION_START -> BUY_CANDIDATE -> BUY_ORDER -> ORDER_CONTEXT -> ORDER_FILLED / ORDER_FAILED", () => {
    const failed = logs.lines.find((l) => l.event_type === 'ORDER_FAILED' && field(l, 'side') === 'buy');
    const filled = logs.lines.find((l) => l.event_type === 'BUY_FILLED');
    for (const [line, last] of [[failed, 'ORDER_FAILED'], [filled, 'ORDER_FILLED']] as const) {
      expect(line?.decision_id).toBeDefined();
      // The spec's grep, on a prefix of the id (date and time), as its example does.
      const prefix = (line?.decision_id ?? '').slice(0, 'dec_20251026_123456'.length);
      const out = sh(dataDir, `grep 'decision_id":"${prefix}' logs/*.jsonl`);
      const chain = bySeq(out).filter((l) => types(out).includes(l.event_type)).map((l) => l.event_type);
      const wanted = ['DECISION_START', 'BUY_CANDIDATE', 'BUY_ORDER', 'ORDER_CONTEXT', last];
      const positions = wanted.map((type) => chain.indexOf(type));
      expect(positions.every((p) => p >= 0), `${chain.join(' ')}`).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
  });

  it("answers the spec's intent grep with that intent's ORDER_CONTEXT lines, one per attempt", () => {
    const retried = logs.lines.find((l) => l.event_type === 'ORDER_RETRY' && Number(field(l, 'next_attempt')) > Number(field(l, 'attempt')));
    const intent = retried?.intent_id ?? logs.lines.find((l) => l.event_type === 'ORDER_CONTEXT')?.intent_id ?? '';
    const out = sh(dataDir, `grep 'intent_id":"${intent}"' logs/orders.jsonl | grep ORDER_CONTEXT`);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(retried ? 2 : 1);
    expect(lines.map((l) => l['attempt'])).toEqual(lines.map((_, i) => i + 1));
    for (const l of lines) for (const name of ['slippage_bps', 'tif', 'limit_px', 'quote_budget', 'attempt']) expect(l[name]).toBeDefined();
  });

  it("answers the spec's CONFIG_DIFF, SHUTDOWN_HEARTBEAT and DASH_EVENT greps", () => {
    const diff = sh(dataDir, "grep 'CONFIG_DIFF' logs/audit.jsonl").trim().split('\n');
    expect(diff).toHaveLength(1);
    const d = JSON.parse(diff[0] ?? '{}') as Record<string, unknown>;
    expect(d['prev_hash']).not.toEqual(d['current_hash']);
    expect(JSON.stringify(d)).toContain('execution.slippage_bps');

    const beat = sh(dataDir, "grep 'SHUTDOWN_HEARTBEAT' logs/*.jsonl | tail -1");
    const hb = JSON.parse(beat.slice(beat.indexOf('{'))) as { registered_threads: { name: string }[]; registered_components: string[]; shutdown_requested: boolean };
    expect(hb.registered_threads.map((t) => t.name)).toEqual(expect.arrayContaining(['DustSweeper', 'LiveDashboard']));
    expect(hb.registered_components).toEqual(expect.arrayContaining(['engine', 'portfolio', 'market_data']));

    const dash = sh(dataDir, "grep 'DASH_EVENT.*BUY_FILLED' logs/*.jsonl").trim().split('\n');
    expect(dash.length).toBeGreaterThan(10);
    const event = JSON.parse(dash[0]?.slice(dash[0].indexOf('{')) ?? '{}') as { source: string; message: string };
    expect(event.message).toMatch(/^BTC\/USD @ \$\d+\.\d{2}$/);
    const [file, lineNo] = event.source.split(':');
    expect(file).toBe('src/engine/buy-decision.ts');
    const sourceLine = readFileSync(join(PROJECT_ROOT, file ?? ''), 'utf8').split('\n')[Number(lineNo) - 1];
    expect(sourceLine).toContain("bus.emit('BUY_FILLED'");
  });

  it("books SELL_FILLED under the buy's decision_id with realized PnL net of both fees", () => {
    const buys = new Map(logs.lines.filter((l) => l.event_type === 'BUY_FILLED').map((l) => [l.decision_id, l]));
    const sells = logs.lines.filter((l) => l.event_type === 'SELL_FILLED');
    expect(sells.length).toBeGreaterThan(10);
    for (const sell of sells) {
      const buy = buys.get(sell.decision_id);
      expect(buy, sell.decision_id).toBeDefined();
      if (!buy || field(sell, 'qty') !== field(buy, 'qty')) continue;
      const d = (name: string, l: AnyEventLine) => Decimal.from(String(field(l, name)));
      const expected = d('qty', sell).mul(d('avg_px', sell)).sub(d('fee', sell)).sub(d('qty', buy).mul(d('avg_px', buy))).sub(d('fee', buy));
      expect(d('realized_pnl', sell).sub(expected).abs().lt(Decimal.parse('0.000001')), `${sell.decision_id}`).toBe(true);
    }
  });
});

describe.skipIf(!available)('paper session on the altcoin file (prices near 0.0016 BTC, 538 gaps)', () => {
  const dataDir = join(tempDir('tradetrace-paper-alt-'), 'data');
  let result: CliResult;
  let logs: ReadBack;

  beforeAll(async () => {
    result = await paper([
      '--data', ALTCOIN_JSON, '--data-dir', dataDir, '--set', 'trading.quote_currency=BTC', '--set', 'trading.starting_quote_balance=1',
      '--set', 'execution.quote_budget=0.01', '--set', 'strategy.max_atr_pct=10',
    ]);
    logs = await readLogs(join(dataDir, 'logs'));
  }, 240_000);

  it('trades the market as UNITTEST/BTC, every order on the tick and lot grid and above the minimum order value', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(logs.bad).toEqual([]);
    const contexts = logs.lines.filter((l) => l.event_type === 'ORDER_CONTEXT');
    expect(contexts.length).toBeGreaterThan(4);
    const tick = Decimal.parse('0.00000001');
    for (const c of contexts) {
      const qty = Decimal.from(String(field(c, 'qty')));
      const px = Decimal.from(String(field(c, 'limit_px')));
      expect(field(c, 'symbol')).toBe('UNITTEST/BTC');
      expect(qty.isMultipleOf(Decimal.ONE), `qty ${qty.toString()}`).toBe(true);
      expect(px.isMultipleOf(tick), `limit ${px.toString()}`).toBe(true);
      expect(px.lt(Decimal.parse('0.01')) && px.isPositive()).toBe(true);
    }
    const submitted = new Set(logs.lines.filter((l) => l.event_type === 'ORDER_SUBMITTED').map((l) => field(l, 'client_order_id')));
    for (const c of contexts.filter((l) => submitted.has(field(l, 'client_order_id')))) {
      expect(Decimal.from(String(field(c, 'notional'))).gte(Decimal.parse('0.001'))).toBe(true);
    }
    expect(logs.lines.filter((l) => l.event_type === 'BUY_FILLED').length).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/UNITTEST\/BTC @ 0\.00\d{6} BTC/);
  });

  it('logs the gaps of the data, never filling them in', () => {
    const gaps = logs.lines.filter((l) => l.event_type === 'DATA_GAP');
    const end = logs.lines.find((l) => l.event_type === 'FEED_END');
    expect(gaps.length).toBeGreaterThan(100);
    expect(field(end ?? gaps[0]!, 'gaps')).toBe(gaps.length);
    const missing = gaps.reduce((n, g) => n + Number(field(g, 'missing_bars')), 0);
    expect(field(end ?? gaps[0]!, 'missing_bars')).toBe(missing);
    expect(field(end ?? gaps[0]!, 'bars')).toBe(13_681);
  });

  it('refuses a buy below the minimum order value before any order is made: the guard names the smallest order the market takes', async () => {
    const small = join(tempDir('tradetrace-paper-alt-min-'), 'data');
    const run = await paper([
      '--data', ALTCOIN_JSON, '--data-dir', small, '--set', 'trading.quote_currency=BTC', '--set', 'trading.starting_quote_balance=1',
      '--set', 'execution.quote_budget=0.0005', '--set', 'strategy.max_atr_pct=10', '--duration', '20s',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const back = await readLogs(join(small, 'logs'));
    // A budget of 0.0005 BTC buys no whole UNITTEST lot at ~0.0016: the buy guard refuses the bar,
    // as the router would have refused the order (min_qty), and no order is made or sent.
    const refused = back.lines.filter((l) => l.event_type === 'BUY_BLOCKED' && field(l, 'guard') === 'insufficient_balance');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0] === undefined ? '' : String(field(refused[0], 'message'))).toMatch(/^execution\.quote_budget 0\.0005 BTC cannot pay for the smallest order UNITTEST\/BTC takes at the limit price [0-9.]+: 1 UNITTEST \(minimum quantity 1, minimum order value 0\.001, lot 1\) costs [0-9.]+ BTC with the taker fee$/);
    expect(back.lines.filter((l) => ['ORDER_CONTEXT', 'ORDER_SUBMITTED', 'ORDER_FAILED'].includes(l.event_type))).toEqual([]);
  }, 120_000);
});
