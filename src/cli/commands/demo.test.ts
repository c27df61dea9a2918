import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { Decimal } from '../../domain/decimal.js';
import { parseLine } from '../../recorder/line-parser.js';

function read(dataDir: string, channel: string): Record<string, unknown>[] {
  return readFileSync(join(dataDir, 'logs', `${channel}.jsonl`), 'utf8').trim().split('\n').map((text) => {
    const parsed = parseLine(text, true);
    if (!parsed.ok) throw new Error(`${parsed.error.message}: ${text}`);
    return parsed.value;
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('tradetrace demo', () => {
  it('records two decision chains, an order context, a heartbeat LOG and SESSION_END, keeping secrets out of every file', async () => {
    const dir = tempDir('tradetrace-demo-');
    const result = await runCli(['demo', '--data-dir', 'data', '--symbol', 'ETH/USDT'], { cwd: dir, env: { TRADETRACE__EXCHANGE__API_SECRET: 'sk-live-DEMO-5ecret' } });
    expect(result.code, result.stderr).toBe(0);
    const data = join(dir, 'data');
    const [sessionId] = readdirSync(join(data, 'sessions'));

    const decisions = read(data, 'decisions');
    expect(decisions.map((l) => l['event_type'])).toEqual(['DECISION_START', 'DECISION_END', 'DECISION_START', 'BUY_TRIGGERED', 'BUY_CANDIDATE', 'BUY_ORDER', 'BUY_FILLED', 'DECISION_END']);
    expect(decisions.every((l) => l['symbol'] === 'ETH/USDT' && l['session_id'] === sessionId)).toBe(true);
    // ETH fills near ETH's price (the synthetic feed's 2500), not at a BTC price.
    const filled = decisions.find((l) => l['event_type'] === 'BUY_FILLED');
    expect(Number(filled?.['avg_px'])).toBeGreaterThan(2500);
    expect(Number(filled?.['avg_px'])).toBeLessThan(2510);
    expect(decisions.filter((l) => l['event_type'] === 'DECISION_END').map((l) => l['outcome'])).toEqual(['no_signal', 'filled']);
    const buyDecision = String(decisions[2]?.['decision_id']);
    const intentId = String(decisions[5]?.['intent_id']);
    expect(decisions.slice(2).every((l) => l['decision_id'] === buyDecision)).toBe(true);

    const [context, ...rest] = read(data, 'orders');
    expect(context).toMatchObject({ event_type: 'ORDER_CONTEXT', decision_id: buyDecision, intent_id: intentId, tif: 'IOC', slippage_bps: 20, max_retries: 3, retry_backoff_ms: 400, attempt: 1, quote_budget: 50 });
    expect(Decimal.from(context?.['qty'] as number).mul(Decimal.from(context?.['limit_px'] as number)).eq(Decimal.from(context?.['notional'] as number))).toBe(true);
    expect(rest.map((l) => l['event_type'])).toEqual(['ORDER_SUBMITTED', 'ORDER_FILLED']);

    // The spec's search finds the whole chain, decisions and orders alike.
    const grep = spawnSync('sh', ['-c', `grep 'decision_id":"${buyDecision}' logs/*.jsonl`], { cwd: data, encoding: 'utf8' });
    expect(grep.stdout.trim().split('\n')).toHaveLength(6 + 3);

    expect(read(data, 'system').map((l) => l['message'])).toEqual(['demo session on ETH/USDT', 'heartbeat']);
    const audit = read(data, 'audit');
    expect(audit.find((l) => l['event_type'] === 'CONFIG_OVERRIDES')?.['overrides']).toMatchObject({ '--symbol': 'ETH/USDT (from flag)' });
    expect(audit.at(-1)).toMatchObject({ event_type: 'SESSION_END', reason: 'completed', exit_code: 0, summary: { decisions: 2, buy_outcome: 'filled' } });
    const manifest = JSON.parse(readFileSync(join(data, 'sessions', sessionId ?? '', 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ session_id: sessionId, mode: 'demo', exit_reason: 'completed', exit_code: 0, argv: ['demo', '--data-dir', 'data', '--symbol', 'ETH/USDT'] });

    for (const file of filesUnder(data)) expect(readFileSync(file, 'utf8'), file).not.toContain('sk-live-DEMO-5ecret');
  });

  it('names an unknown flag and exits 2 without creating anything', async () => {
    const dir = tempDir('tradetrace-demo-');
    const result = await runCli(['demo', '--simbol', 'ETH/USDT'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--simbol'");
    expect(readdirSync(dir)).toEqual([]);
  });
});
