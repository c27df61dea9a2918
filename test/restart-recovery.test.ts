import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLogFiles } from '../src/recorder/log-files.js';
import { parseLine } from '../src/recorder/line-parser.js';
import type { AnyEventLine } from '../src/recorder/events/catalog.js';
import { PaperStateFile } from '../src/execution/paper/paper-state-file.js';
import { StateStore } from '../src/store/state-store.js';
import { runCli, spawnCli } from './support/cli.js';
import { BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();

interface Parsed {
  readonly lines: AnyEventLine[];
  /** Lines that did not parse, with whether each was the last line of its file (a write torn by the kill). */
  readonly bad: { file: string; line: number; last: boolean }[];
}

function parseAll(logsDir: string): Parsed {
  const lines: AnyEventLine[] = [];
  const bad: Parsed['bad'] = [];
  for (const file of listLogFiles(logsDir)) {
    const texts = readFileSync(file.path, 'utf8').split('\n');
    if (texts.at(-1) === '') texts.pop();
    texts.forEach((text, i) => {
      const parsed = parseLine(text, true);
      if (parsed.ok) lines.push(parsed.value);
      else bad.push({ file: file.path, line: i + 1, last: i === texts.length - 1 });
    });
  }
  return { lines, bad };
}

const f = (line: AnyEventLine, name: string): unknown => (line as unknown as Record<string, unknown>)[name];

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!available)('restart: SIGKILL a paper session mid-run, start again on the same data directory', () => {
  it('recovers positions with their decision_ids, reconciles open orders and never submits a client order id twice', async () => {
    const dataDir = join(tempDir('tradetrace-restart-'), 'data');
    const common = ['paper', '--data', BTC_PERP_CSV, '--data-dir', dataDir, '--set', 'trading.quote_currency=USD', '--set', 'paper_exchange.fault_timeout=0.3'];
    // Wide exits, so the position bought just before the kill is still open when it dies.
    const child = spawnCli([...common, '--speed', '3000', '--set', 'exits.take_profit_pct=5', '--set', 'exits.stop_loss_pct=5', '--set', 'exits.max_holding=7d'], {
      env: { ENABLE_LIVE_DASHBOARD: 'false' },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const decisions = join(dataDir, 'logs', 'decisions.jsonl');
    await waitFor(() => existsSync(decisions) && readFileSync(decisions, 'utf8').includes('"BUY_FILLED"'), 90_000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The bot is the node process tsx starts (its pid is in the manifest), not tsx itself.
    const sessionDir = readdirSync(join(dataDir, 'sessions'))[0] ?? '';
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'sessions', sessionDir, 'manifest.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGKILL');
    await exited;
    expect(() => process.kill(pid, 0), stderr).toThrow();

    const store = StateStore.open({ dataDir });
    const positions = store.positions().map((p) => ({ symbol: p.symbol, decisionId: p.decisionId, qty: p.qty.toString() }));
    const unsettled = store.openOrders().map((o) => o.clientOrderId);
    // The killed session's paper account survived it: every order the bot's store saw filled is in
    // the account file, filled, so the restart reconciles against the same account.
    const sentIds = [...new Set(parseAll(join(dataDir, 'logs')).lines.filter((l) => l.event_type === 'ORDER_CONTEXT').map((l) => String(f(l, 'client_order_id'))))];
    const filledInStore = sentIds.filter((id) => store.order(id)?.status === 'filled');
    store.close();
    expect(positions).toHaveLength(1);
    expect(filledInStore.length).toBeGreaterThan(0);
    const account = PaperStateFile.open(join(dataDir, 'paper-exchange.sqlite'), []);
    // A start loads only the open orders; a finished one is read from the file by its client order id.
    const accountStatus = filledInStore.map((id) => [id, account.file.order(id)?.status]);
    account.file.close();
    expect(accountStatus).toEqual(filledInStore.map((id) => [id, 'filled']));

    const second = await runCli([...common, '--speed', 'max'], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 240_000 });
    expect(second.code, second.stderr).toBe(0);

    const { lines, bad } = parseAll(join(dataDir, 'logs'));
    // The kill may tear the very last line of a file; nothing else may fail to parse.
    expect(bad.filter((b) => !b.last)).toEqual([]);
    const sessions = [...new Set(lines.filter((l) => l.event_type === 'SESSION_START').map((l) => l.session_id))];
    expect(sessions).toHaveLength(2);
    const [killedId, restartedId] = sessions;
    expect(lines.some((l) => l.session_id === killedId && l.event_type === 'SESSION_END')).toBe(false);

    const recovered = lines.find((l) => l.session_id === restartedId && l.event_type === 'STATE_RECOVERED');
    const recoveredPositions = f(recovered!, 'positions') as { symbol: string; decision_id: string; qty: string }[];
    expect(recoveredPositions.map((p) => ({ symbol: p.symbol, decisionId: p.decision_id, qty: p.qty }))).toEqual(positions);
    expect((f(recovered!, 'open_orders') as { client_order_id: string }[]).map((o) => o.client_order_id).sort()).toEqual([...unsettled].sort());
    // The restart's reconciliation, up to its RECONCILE_COMPLETE: its order watcher may settle one it
    // left unknown later with an ORDER_RECONCILED of its own (not_found).
    const completeSeq = Number(lines.find((l) => l.session_id === restartedId && l.event_type === 'RECONCILE_COMPLETE')?.seq);
    const reconciledLines = lines.filter((l) => l.session_id === restartedId && l.event_type === 'ORDER_RECONCILED' && Number(l.seq) < completeSeq);
    const reconciled = reconciledLines.map((l) => f(l, 'client_order_id'));
    expect(reconciled.sort()).toEqual([...unsettled].sort());
    // The paper account is persisted beside state.sqlite: the restarted session finds the orders the
    // killed one left open (booked or still open), not an empty exchange answering not_found for all.
    expect(existsSync(join(dataDir, 'paper-exchange.sqlite'))).toBe(true);
    const outcomes = reconciledLines.map((l) => String(f(l, 'outcome')));
    if (unsettled.length > 0) expect(outcomes.filter((o) => o !== 'not_found'), outcomes.join(',')).not.toHaveLength(0);
    expect(lines.some((l) => l.session_id === restartedId && l.event_type === 'RECONCILE_COMPLETE' && f(l, 'checked') === unsettled.length)).toBe(true);

    // The position opened before the kill is sold by the restarted session under its original decision_id.
    const decisionId = positions[0]?.decisionId;
    const buy = lines.find((l) => l.event_type === 'BUY_FILLED' && l.decision_id === decisionId);
    expect(buy?.session_id).toBe(killedId);
    const exit = lines.find((l) => l.event_type === 'SELL_FILLED' && l.decision_id === decisionId);
    expect(exit?.session_id).toBe(restartedId);
    expect(lines.some((l) => l.event_type === 'EXIT_TRIGGERED' && l.decision_id === decisionId && l.session_id === restartedId)).toBe(true);

    // No client order id was ever sent twice, across both sessions.
    for (const type of ['ORDER_CONTEXT', 'ORDER_SUBMITTED'] as const) {
      const ids = lines.filter((l) => l.event_type === type).map((l) => f(l, 'client_order_id'));
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size, type).toBe(ids.length);
    }
    // The restarted replay resumed right after the last bar the killed session decided: the cursor
    // is saved once a second, but the decision log says exactly where the decisions stopped.
    const barsOf = (session: string | undefined) => new Set(lines.filter((l) => l.session_id === session && l.event_type === 'DECISION_START').map((l) => String(f(l, 'bar_ts'))));
    const killedBars = barsOf(killedId);
    const again = [...barsOf(restartedId)].filter((bar) => killedBars.has(bar));
    expect(killedBars.size).toBeGreaterThan(20);
    expect(again, 'bars decided by both sessions').toEqual([]);
    const lastKilled = Math.max(...[...killedBars].map((bar) => Date.parse(bar)));
    expect(Math.min(...[...barsOf(restartedId)].map((bar) => Date.parse(bar))), 'the first bar after the last one decided').toBe(lastKilled + 60_000);
    expect(lines.some((l) => l.session_id === restartedId && l.event_type === 'SESSION_END' && f(l, 'reason') === 'data_end')).toBe(true);
  }, 400_000);
});
