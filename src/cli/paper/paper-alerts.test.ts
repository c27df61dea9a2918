import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCliInOneProcess } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { startWebhookServer, type WebhookServer } from '../../alerts/fixtures/webhook-server.js';
import { Writable } from 'node:stream';
import { configSchema } from '../../config/schema.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { DashboardBus } from '../../runtime/dashboard-bus.js';
import { DashboardModel } from '../../ui/dashboard-model.js';
import { TerminalDashboard } from '../../ui/terminal-dashboard.js';
import { alertsStopDrainMs, paperAlerts } from './paper-alerts.js';

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
    const child = spawnCliInOneProcess(
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

describe('paper: in-bot alerts on the live dashboard', () => {
  /** A terminal as a stream: what was written, and its size. */
  class Terminal extends Writable {
    readonly chunks: string[] = [];
    readonly columns = 140;
    readonly rows = 40;
    constructor(readonly isTTY: boolean) {
      super();
    }
    override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
      this.chunks.push(chunk.toString('utf8'));
      callback();
    }
    get text(): string {
      return this.chunks.join('');
    }
  }

  it('a config drift fires into the ALERTS panel, logged as a dashboard notification `dash` lists; its console line waits under the last frame instead of being erased by the next one', async () => {
    const logsDir = join(tempDir('tradetrace-paper-alerts-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20220103_100000', sink: new FileSink(logsDir) });
    const stdout = new Terminal(true);
    const stderr = new Terminal(true);
    const model = new DashboardModel();
    const dashboard = new TerminalDashboard({ source: model, stream: stdout, env: { TERM: 'xterm-256color' }, color: false });
    const result = paperAlerts({ config: configSchema.parse({}), recorder, logsDir, console: stderr, dataDir: join(logsDir, '..'), dashboard: { model, frame: dashboard, bus: new DashboardBus({ recorder }) } });
    if (!result.ok) throw new Error(result.error.message);
    const alerts = result.value;
    alerts.start();
    dashboard.start();
    recorder.emit('CONFIG_DIFF', { message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: 'session_20220102_100000', changes: [] });
    expect(model.view(Date.now()).alerts.firing.map((a) => [a.rule, a.severity])).toEqual([['config_drift', 'warning']]);
    await new Promise((r) => setTimeout(r, 300));
    expect(stderr.text).toBe('');
    expect(stdout.text.slice(stdout.text.lastIndexOf('\x1b[H'))).toMatch(/ALERTS {2}1 firing\x1b\[K\n {2}WARNING {2}config_drift \[config\] {2}since /);
    await dashboard.stop();
    expect(stderr.text).toMatch(/^\S+Z FIRED {4}config_drift \[config\] warning: Config drift detected/);
    await alerts.stop();
    recorder.close();
    // What the panel showed is a DASH_EVENT like every dashboard notification: `dash` names it and its source.
    const dash = await runCli(['dash', 'ALERT_FIRED', '--data-dir', join(logsDir, '..')]);
    expect(dash.stdout).toMatch(/ALERT_FIRED .*WARNING config_drift \[config\]: Config drift detected/);
    expect(dash.stdout).toMatch(/src\/ui\/dashboard-alert-notifier\.ts:\d+/);
  });
});
