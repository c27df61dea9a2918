import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { startWebhookServer, type WebhookServer } from '../../alerts/fixtures/webhook-server.js';
import { alertsStopDrainMs } from './paper-alerts.js';

let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function logLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('paper: the alerts component with a webhook that never answers', () => {
  it('the drain bound stays under the component stop timeout', () => {
    expect(alertsStopDrainMs(5_000)).toBe(2_500);
    expect(alertsStopDrainMs(60_000)).toBe(3_000);
    expect(alertsStopDrainMs(100)).toBe(50);
  });

  it('Ctrl-C: the alerts component stops within its own bound, logs what was not delivered, and the bot still exits 0 (no component_stop_timeout)', async () => {
    server = await startWebhookServer(() => 'hang');
    const hook = server;
    const dataDir = join(tempDir('tradetrace-paper-hang-'), 'data');
    // Every order rejected: order_failure_rate fires, and its POST hangs.
    const child = spawnCli(
      ['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '20d', '--data-dir', dataDir,
        '--set', 'paper_exchange.fault_reject=1', '--set', `alerts.webhook_url=${hook.url}`],
      { env: { ENABLE_LIVE_DASHBOARD: 'false' } },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (hook.received.length === 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no webhook POST arrived:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const killGuard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(killGuard);
    // Before: the drain waited on the webhook's 5 s timeout and retries, past component_stop_timeout (5 s): exit 1.
    expect(code, stderr).toBe(0);
    const errors = logLines(join(dataDir, 'logs', 'system.jsonl')).filter((l) => l['event_type'] === 'ERROR');
    expect(errors.map((l) => l['error_code'])).toEqual(['webhook_undelivered']);
    expect(String(errors[0]?.['message'])).toMatch(/^\d+ alerts? not delivered to /);
    expect(String(errors[0]?.['message'])).not.toContain(hook.url);
  }, 90_000);
});
