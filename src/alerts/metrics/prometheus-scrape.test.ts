import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { withIntent } from '../../recorder/trace-context.js';
import { waitFor } from '../fixtures/processes.js';
import { findPrometheusBinary } from '../fixtures/promtool.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { freePort } from '../../../test/support/free-port.js';

const RULES = resolve(import.meta.dirname, '../../../ops/prometheus/alerts.yml');
const prometheusBin = findPrometheusBinary('prometheus');

let prometheus: ChildProcess | undefined;
let metrics: MetricsServer | undefined;
afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await metrics?.close();
});

interface ApiAnswer<T> {
  status: string;
  data: T;
}

describe('a real Prometheus server scraping startMetricsServer', () => {
  it.skipIf(prometheusBin === null)('scrapes the counters and fires TradetraceConfigDrift from ops/prometheus/alerts.yml', async () => {
    const dir = tempDir('tradetrace-prometheus-');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(join(dir, 'logs')) });
    // The bot's order: the session bootstrap writes CONFIG_HASH and CONFIG_DIFF, then the paper
    // command starts the server with what they said (it cannot see those lines go by).
    recorder.emit('CONFIG_HASH', { config_hash: 'b2c3d4e5f6a7b8c9', config: {} });
    recorder.emit('CONFIG_DIFF', { message: 'Config drift detected: a1b2c3d4 -> b2c3d4e5', prev_hash: 'a1b2c3d4e5f6a7b8', current_hash: 'b2c3d4e5f6a7b8c9', prev_session: 'session_20251026_095432', changes: [] });
    metrics = await startMetricsServer({
      recorder, port: 0, configHash: 'b2c3d4e5f6a7b8c9', heartbeat: { intervalMs: 30_000, missingMultiple: 3 },
      configDrift: { prevHash: 'a1b2c3d4e5f6a7b8', currentHash: 'b2c3d4e5f6a7b8c9', prevSession: 'session_20251026_095432' },
    });
    for (const id of ['int_00000000000000a1', 'int_00000000000000a2', 'int_00000000000000a3']) {
      withIntent(id, () => {
        recorder.emit('ORDER_CONTEXT', {
          symbol: 'BTC/USDT', side: 'buy', qty: 0.001, limit_px: 45000, quote_budget: 45, notional: 45, tif: 'IOC', slippage_bps: 20,
          min_notional: 5, max_retries: 3, retry_backoff_ms: 400, attempt: 1, attempt_start_ts: Date.now() / 1000, client_order_id: `${id}-1`,
        });
      });
    }

    const port = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${RULES}"]`,
      'scrape_configs:',
      '  - job_name: tradetrace',
      `    static_configs: [{ targets: ["127.0.0.1:${metrics.port}"] }]`,
      '',
    ].join('\n'));
    prometheus = spawn(prometheusBin ?? 'prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: 'ignore' });
    const api = async <T>(path: string): Promise<T | undefined> => {
      try {
        const answer = (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as ApiAnswer<T>;
        return answer.status === 'success' ? answer.data : undefined;
      } catch {
        return undefined;
      }
    };

    type Vector = { result: { metric: Record<string, string>; value: [number, string] }[] };
    const intents = await waitFor('Prometheus to scrape the intents counter', async () => {
      const data = await api<Vector>('/api/v1/query?query=tradetrace_order_intents_total');
      return data?.result[0];
    }, 45_000, 250);
    expect(intents.metric).toMatchObject({ job: 'tradetrace', instance: `127.0.0.1:${metrics.port}` });
    expect(intents.value[1]).toBe('3');

    type Alerts = { alerts: { labels: Record<string, string>; state: string }[] };
    const drift = await waitFor('TradetraceConfigDrift to fire', async () => {
      const data = await api<Alerts>('/api/v1/alerts');
      return data?.alerts.find((a) => a.labels['alertname'] === 'TradetraceConfigDrift' && a.state === 'firing');
    }, 30_000, 250);
    expect(drift.labels).toMatchObject({ reason: 'config_diff', prev_hash: 'a1b2c3d4e5f6a7b8', current_hash: 'b2c3d4e5f6a7b8c9', severity: 'warning' });
    recorder.close();
  });
});
