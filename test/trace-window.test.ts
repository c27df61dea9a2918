import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { runQuery } from './support/run-query.js';
import { ALTCOIN_JSON, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

const available = sharedDataAvailable();

interface Line {
  readonly ts: string;
  readonly event_type: string;
  readonly decision_id?: string;
  readonly intent_id?: string;
}

function linesOf(path: string): Line[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Line);
}

/** A time strictly between two ISO times at least 2 ms apart. */
function between(a: string, b: string): string {
  return new Date(Math.floor((Date.parse(a) + Date.parse(b)) / 2)).toISOString();
}

// --since/--until cutting through one decision (or one intent) drew its verdict from part of its
// lines: an exit's time shown as the start and "UNFINISHED", a sold position "still open", a filled
// order with 0 attempts or OPEN. A trace of one id is shown whole, and stderr says what the window left out.
describe.skipIf(!available)('trace and orders --intent with a window cutting through the chain (real altcoin candles)', () => {
  const dataDir = join(tempDir('tradetrace-trace-window-'), 'data');
  let decision = '';
  let gap: { end: string; exit: string } = { end: '', exit: '' };
  let intent = '';
  let intentTimes: string[] = [];

  beforeAll(async () => {
    const paper = await runCli(['paper', '--data', ALTCOIN_JSON, '--set', 'trading.quote_currency=BTC', '--speed', 'max', '--data-dir', dataDir], { timeoutMs: 90_000 });
    expect(paper.code, paper.stderr).toBe(0);
    const decisions = linesOf(join(dataDir, 'logs/decisions.jsonl'));
    const orders = linesOf(join(dataDir, 'logs/orders.jsonl'));
    // A bought and sold position whose DECISION_END and EXIT_TRIGGERED are apart in time.
    for (const exit of orders.filter((l) => l.event_type === 'EXIT_TRIGGERED')) {
      const end = decisions.find((l) => l.event_type === 'DECISION_END' && l.decision_id === exit.decision_id);
      const sold = orders.some((l) => l.event_type === 'SELL_FILLED' && l.decision_id === exit.decision_id);
      if (end && sold && Date.parse(exit.ts) - Date.parse(end.ts) >= 2) {
        decision = exit.decision_id ?? '';
        gap = { end: end.ts, exit: exit.ts };
        break;
      }
    }
    // The buy's intent, with its first two order lines apart in time.
    const buy = decisions.find((l) => l.event_type === 'BUY_FILLED' && l.decision_id === decision);
    intent = buy?.intent_id ?? '';
    intentTimes = orders.filter((l) => l.intent_id === intent).map((l) => l.ts);
  }, 120_000);

  it('trace --since between the buy and the exit: the whole chain, not UNFINISHED from the exit', async () => {
    expect(decision).not.toBe('');
    const since = between(gap.end, gap.exit);
    const r = await runQuery(['trace', decision, '--since', since, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('UNFINISHED');
    expect(r.stdout).toMatch(/FILLED: bought .*; position closed by /);
    expect(r.stderr).toMatch(new RegExp(`decision ${decision} has \\d+ lines outside the window \\(\\d+ before --since `));
  });

  it('trace --until between the buy and the exit: the position closed, not still open', async () => {
    const until = between(gap.end, gap.exit);
    const r = await runQuery(['trace', decision, '--until', until, '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('still open');
    expect(r.stdout).toMatch(/position closed by /);
    expect(r.stderr).toMatch(/lines outside the window \(\d+ after --until /);
    // The whole chain in --json too.
    const json = await runQuery(['trace', decision, '--until', until, '--json', '--data-dir', dataDir]);
    expect(json.stdout).toContain('"event_type":"SELL_FILLED"');
  });

  it('orders --intent with the window cutting its lines: FILLED with its attempt, never 0 attempts or OPEN', async () => {
    expect(intent).not.toBe('');
    const first = intentTimes[0] ?? '';
    const later = intentTimes.find((ts) => ts > first) ?? '';
    expect(later).not.toBe('');
    const since = await runQuery(['orders', '--intent', intent, '--since', later, '--data-dir', dataDir]);
    expect(since.code, since.stderr).toBe(0);
    expect(since.stdout).toMatch(new RegExp(`${intent}  buy \\S+  FILLED  1 attempt `));
    expect(since.stderr).toMatch(new RegExp(`intent ${intent} has \\d+ lines? outside the window`));
    const until = await runQuery(['orders', '--intent', intent, '--until', first, '--data-dir', dataDir]);
    expect(until.stdout).toMatch(new RegExp(`${intent}  buy \\S+  FILLED  1 attempt `));
    expect(until.stdout).not.toContain('OPEN');
  });

  it('orders (every intent) with the window cutting intents: each listed whole, never FILLED with 0 attempts or OPEN', async () => {
    const first = intentTimes[0] ?? '';
    const later = intentTimes.find((ts) => ts > first) ?? '';
    const r = await runQuery(['orders', '--since', later, '--until', between(gap.end, gap.exit), '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${intent}  buy \\S+  FILLED  1 attempt `));
    expect(r.stdout).not.toMatch(/ 0 attempts /);
    expect(r.stdout).not.toMatch(/  OPEN  /);
    expect(r.stderr).toMatch(/ intents? with lines in the window also ha(s|ve) lines before --since .* or after --until .*: listed whole/);
  });

  it('a window holding none of the decision still says it has no lines there', async () => {
    const r = await runQuery(['trace', decision, '--since', '2099-01-01T00:00Z', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`decision ${decision} has no lines since 2099-01-01 00:00:00.000Z`);
  });
});
