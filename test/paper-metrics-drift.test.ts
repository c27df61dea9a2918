import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from '../src/alerts/fixtures/exposition.js';
import { waitFor } from '../src/alerts/fixtures/processes.js';
import { runCli, spawnCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';
import { freePort } from './support/free-port.js';

const ENV = { ENABLE_LIVE_DASHBOARD: 'false' };

// The bootstrap writes CONFIG_DIFF before the paper command starts its metrics server, so only the
// real order (a session, then another with a changed config) shows whether the drift reaches /metrics.
describe('tradetrace paper --metrics-port after a config change: the drift and the config reach /metrics', () => {
  it('exports tradetrace_config_drift_info for the CONFIG_DIFF the session wrote, and its heartbeat interval and multiple', async () => {
    const dataDir = join(tempDir('tradetrace-paper-metrics-drift-'), 'data');
    const first = await runCli(['paper', '--synthetic', 'BTC/USDT', '--speed', '600', '--duration', '3s', '--data-dir', dataDir], { env: ENV, timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);

    const port = await freePort();
    const child = spawnCli(
      ['paper', '--synthetic', 'BTC/USDT', '--speed', '60', '--duration', '2m', '--metrics-port', String(port), '--data-dir', dataDir,
        '--set', 'runtime.heartbeat_interval=2m', '--set', 'alerts.heartbeat_missing_multiple=2'],
      { env: ENV },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let pid: number | undefined;
    try {
      const url = await waitFor('the metrics url on stderr', () => /^metrics: (http:\/\/\S+)$/m.exec(stderr)?.[1], 30_000, 100);
      const sessions = readdirSync(join(dataDir, 'sessions')).sort();
      expect(sessions).toHaveLength(2);
      const [previous = '', current = ''] = sessions;
      ({ pid } = JSON.parse(readFileSync(join(dataDir, 'sessions', current, 'manifest.json'), 'utf8')) as { pid: number });
      const diff = readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"CONFIG_DIFF"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(diff.map((d) => [d['session_id'], d['prev_session']])).toEqual([[current, previous]]);

      const samples = parseExposition(await (await fetch(url)).text());
      expect(valueOf(samples, 'tradetrace_config_drift_info', { prev_hash: String(diff[0]?.['prev_hash']), current_hash: String(diff[0]?.['current_hash']), prev_session: previous })).toBe(1);
      expect(valueOf(samples, 'tradetrace_config_info', { config_hash: String(diff[0]?.['current_hash']), session_id: current })).toBe(1);
      expect(valueOf(samples, 'tradetrace_heartbeat_interval_seconds')).toBe(120);
      expect(valueOf(samples, 'tradetrace_heartbeat_missing_multiple')).toBe(2);

      process.kill(pid, 'SIGTERM');
      expect(await exited, stderr).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        child.kill('SIGKILL');
        await exited;
      }
    }
  }, 120_000);
});
