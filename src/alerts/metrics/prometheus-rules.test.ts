import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tempDir } from '../../../test/support/temp-dir.js';
import { NullSink } from '../../recorder/line-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { findPrometheusBinary } from '../fixtures/promtool.js';
import { createTradeMetrics } from './trade-metrics.js';

const OPS = resolve(import.meta.dirname, '../../../ops/prometheus');
const RULES = join(OPS, 'alerts.yml');
const promtool = findPrometheusBinary('promtool');

function run(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtool ?? 'promtool', args, { cwd: OPS, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('ops/prometheus/alerts.yml', () => {
  it.skipIf(promtool === null)('passes promtool check rules (syntax, templates, lint)', () => {
    const { status, output } = run(['check', 'rules', RULES]);
    expect(output).toContain('SUCCESS: 7 rules found');
    expect(status).toBe(0);
  });

  it.skipIf(promtool === null)('passes promtool test rules alerts.test.yml', () => {
    const { status, output } = run(['test', 'rules', 'alerts.test.yml']);
    expect(output).not.toContain('FAILED');
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it.skipIf(promtool === null)('promtool really fails a wrong expectation (the test above can fail)', () => {
    const original = readFileSync(join(OPS, 'alerts.test.yml'), 'utf8');
    const wrong = original
      .replace('  - alerts.yml', `  - ${RULES}`)
      .replace(
        '      - eval_time: 6m\n        alertname: TradetraceHeartbeatMissing\n        exp_alerts: []',
        '      - eval_time: 7m\n        alertname: TradetraceHeartbeatMissing\n        exp_alerts: []',
      );
    expect(wrong).not.toBe(original);
    const file = join(tempDir('tradetrace-promtool-'), 'wrong.test.yml');
    writeFileSync(file, wrong);
    const { status, output } = run(['test', 'rules', file]);
    // It fails on the expectation (the stale heartbeat fires at 7m), not on a missing file.
    expect(output).toContain('alertname: TradetraceHeartbeatMissing, time: 7m');
    expect(output).toContain('reason="stale"');
    expect(status).toBe(1);
  });

  it('uses only metric names the bot exports', async () => {
    const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups;
    const used = new Set(groups.flatMap((g) => g.rules.flatMap((r) => r.expr.match(/tradetrace_[a-z_]+/g) ?? [])));
    const { registry, unsubscribe } = createTradeMetrics(new Recorder({ sessionId: 's', sink: new NullSink() }), { defaultMetrics: false });
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    unsubscribe();
    expect(used.size).toBeGreaterThanOrEqual(6);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});
