import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { startWebhookServer, type WebhookServer } from '../fixtures/webhook-server.js';
import { maskWebhookUrl } from '../notifiers/webhook-notifier.js';
import { runCli } from '../../../test/support/cli.js';
import { Scenario } from '../fixtures/scenario.js';
import { exited, readLog, startCli, startFakeBot, stop, waitFor, type Running } from '../fixtures/processes.js';

const running: Running[] = [];
let webhook: WebhookServer | undefined;
afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
  await webhook?.close();
  webhook = undefined;
});

function launch(r: Running): Running {
  running.push(r);
  return r;
}

async function readySession(bot: Running): Promise<string> {
  return waitFor('the fake bot to start', () => /ready (session_\S+)/.exec(bot.output)?.[1], 30_000);
}

function heartbeatCount(dataDir: string, sessionId: string): number {
  return readLog(join(dataDir, 'logs/system.jsonl')).filter((l) => l['event_type'] === 'SHUTDOWN_HEARTBEAT' && l['session_id'] === sessionId).length;
}

function alertLines(dataDir: string): Record<string, unknown>[] {
  return readLog(join(dataDir, 'logs/alerts.jsonl'));
}

describe('tradetrace alerts --follow (a separate watcher process)', () => {
  it('Ctrl-C with webhook deliveries pending (the webhook never answers): drains for a bounded time, says how many alerts were not delivered and where, exits 0', async () => {
    const dataDir = tempDir('tradetrace-watch-');
    // A session that died (FATAL, heartbeats long gone): the watcher reports both alerts open at catch-up.
    const s = new Scenario(dataDir);
    s.at(0).start('session_20251026_100000');
    s.at(1000).heartbeat('session_20251026_100000');
    s.at(2000).emit('session_20251026_100000', 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom' });
    s.close();
    webhook = await startWebhookServer(() => 'hang');
    const hook = webhook;
    const watcher = launch(startCli(['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50', '--webhook', hook.url]));
    await waitFor('the watcher to start', () => watcher.output.includes('watching'), 30_000);
    await waitFor('the first webhook POST (left hanging)', () => hook.received.length > 0);
    const stoppedAt = Date.now();
    watcher.child.kill('SIGINT');
    const code = await exited(watcher.child);
    const tookMs = Date.now() - stoppedAt;
    // Before: exit 13 (the top-level await never settled: only unref'd timers were left) and no word of the lost alerts.
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(8_000);
    // The URL only as scheme://host:port/…: its path may hold the webhook's token.
    expect(watcher.output).toContain(`tradetrace alerts: 2 alerts not delivered to ${maskWebhookUrl(hook.url)}:`);
    expect(watcher.output).not.toContain(hook.url);
    const errors = readLog(join(dataDir, 'logs/system.jsonl')).filter((l) => l['event_type'] === 'ERROR' && String(l['session_id']).startsWith('watcher_'));
    expect(errors.map((l) => l['error_code'])).toEqual(['webhook_undelivered']);
  }, 120_000);

  it('detects a SIGKILLed bot within the configured time: one ALERT_FIRED, one webhook POST, kept across a watcher restart, resolved by the next bot', async () => {
    const dataDir = tempDir('tradetrace-watch-');
    webhook = await startWebhookServer();
    const bot = launch(startFakeBot(dataDir, 100));
    const sessionId = await readySession(bot);
    const watch = ['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50', '--heartbeat-factor', '3', '--webhook', webhook.url];
    const watcher = launch(startCli(watch));
    await waitFor('the watcher to start', () => watcher.output.includes('watching'), 30_000);
    // Let the watcher see several heartbeats first, so it has learned the 100 ms interval.
    const seen = heartbeatCount(dataDir, sessionId);
    await waitFor('5 more heartbeats', () => heartbeatCount(dataDir, sessionId) >= seen + 5);
    expect(alertLines(dataDir)).toEqual([]);

    const killedAt = Date.now();
    bot.child.kill('SIGKILL');
    await exited(bot.child);
    const fired = await waitFor('ALERT_FIRED heartbeat_missing', () => alertLines(dataDir).find((l) => l['event_type'] === 'ALERT_FIRED'));
    const detectedMs = Date.now() - killedAt;
    console.log(`watcher wrote ALERT_FIRED ${detectedMs} ms after the SIGKILL (${String(fired['message'])})`);
    // Configured: 3 x 100 ms without a heartbeat; the pid probe may be faster. Allow polling and a loaded machine.
    expect(detectedMs).toBeLessThan(3 * 100 + 2_000);
    expect(fired).toMatchObject({ rule: 'heartbeat_missing', subject: sessionId, severity: 'critical', next_command: `tradetrace health --session ${sessionId}` });
    expect(String(fired['session_id'])).toMatch(/^watcher_\d{8}_\d{6}_\d+$/);
    const evidence = fired['evidence'] as Record<string, unknown>[];
    expect(evidence[0]).toMatchObject({ event_type: 'SHUTDOWN_HEARTBEAT', file: join(dataDir, 'logs/system.jsonl'), id: sessionId });
    expect(typeof evidence[0]?.['line']).toBe('number');

    // No flood: a second later it is still the one alert.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alertLines(dataDir).filter((l) => l['event_type'] === 'ALERT_FIRED')).toHaveLength(1);
    expect(watcher.output).toContain(`FIRED    heartbeat_missing [${sessionId}]`);
    const hook = webhook;
    await waitFor('the webhook POST', () => hook.received.length > 0);
    expect(hook.received.map((r) => [r.body['status'], r.body['alert_id']])).toEqual([['fired', fired['alert_id']]]);

    // A restarted watcher takes the open alert over instead of firing the same incident again.
    await stop(watcher);
    const second = launch(startCli(watch));
    await waitFor('the second watcher to start', () => second.output.includes('watching'), 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alertLines(dataDir).filter((l) => l['event_type'] === 'ALERT_FIRED')).toHaveLength(1);

    // The bot is restarted: the dead session's incident is over.
    const next = launch(startFakeBot(dataDir, 100));
    const nextSession = await readySession(next);
    const resolved = await waitFor('ALERT_RESOLVED', () => alertLines(dataDir).find((l) => l['event_type'] === 'ALERT_RESOLVED'));
    expect(resolved).toMatchObject({ alert_id: fired['alert_id'], subject: sessionId, message: `superseded by session ${nextSession}: the bot was restarted on this data directory, and ${sessionId} wrote no SESSION_END` });
    await waitFor('the resolution POST', () => hook.received.length > 1);
    expect(hook.received.map((r) => [r.body['status'], r.body['alert_id']])).toEqual([['fired', fired['alert_id']], ['resolved', fired['alert_id']]]);
  }, 180_000);

  it('detects a hung bot (alive process, heartbeats stop), then resolves on a clean SESSION_END', async () => {
    const dataDir = tempDir('tradetrace-watch-');
    const bot = launch(startFakeBot(dataDir, 100, 1_500));
    const sessionId = await readySession(bot);
    const watcher = launch(startCli(['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50']));
    const fired = await waitFor('ALERT_FIRED for the hang', () => alertLines(dataDir).find((l) => l['event_type'] === 'ALERT_FIRED'), 30_000);
    expect(fired).toMatchObject({ rule: 'heartbeat_missing', subject: sessionId });
    expect(String(fired['message'])).toContain('no SHUTDOWN_HEARTBEAT');
    expect(bot.child.exitCode).toBeNull();

    bot.child.kill('SIGTERM');
    await exited(bot.child);
    const resolved = await waitFor('ALERT_RESOLVED', () => alertLines(dataDir).find((l) => l['event_type'] === 'ALERT_RESOLVED'));
    expect(resolved).toMatchObject({ alert_id: fired['alert_id'], rule: 'heartbeat_missing', subject: sessionId });
    expect(watcher.output).toContain('RESOLVED heartbeat_missing');
  });

  it('a bot SIGKILLed and restarted before its heartbeat deadline, the restart then ending cleanly: nothing firing, in batch as with --follow', async () => {
    const dataDir = tempDir('tradetrace-watch-');
    // 200 ms beats x 100: the killed session's silence passes its deadline 20 s after its last beat.
    // The restart (a node + tsx start) must come before it: at x 40 (8 s) a loaded machine's start
    // took a good part of that window already.
    const factor = ['--heartbeat-factor', '100'];
    const deadlineMs = 200 * 100;
    const killed = launch(startFakeBot(dataDir, 200));
    const killedId = await readySession(killed);
    await waitFor('3 heartbeats', () => heartbeatCount(dataDir, killedId) >= 3, 30_000);
    killed.child.kill('SIGKILL');
    await exited(killed.child);
    const killedAt = Date.now();
    const restarted = launch(startFakeBot(dataDir, 200));
    await readySession(restarted);
    const restartMs = Date.now() - killedAt;
    expect(restartMs, 'the restart must come before the killed session is overdue, or this tests nothing').toBeLessThan(deadlineMs - 1000);
    await stop(restarted);
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + deadlineMs + 500 - Date.now())));

    const batch = await runCli(['alerts', '--data-dir', dataDir, '--rules', 'heartbeat_missing', ...factor]);
    expect(batch.stdout).not.toContain('FIRED');
    expect(batch.code, batch.stdout + batch.stderr).toBe(0);

    const watcher = launch(startCli(['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50', ...factor]));
    await waitFor('the watcher to start', () => watcher.output.includes('watching'), 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alertLines(dataDir)).toEqual([]);
  }, 120_000);

  it('writes nothing for a bot that beats and ends cleanly', async () => {
    const dataDir = tempDir('tradetrace-watch-');
    const bot = launch(startFakeBot(dataDir, 100));
    const sessionId = await readySession(bot);
    launch(startCli(['alerts', '--follow', '--data-dir', dataDir, '--poll-ms', '50']));
    await waitFor('10 heartbeats', () => heartbeatCount(dataDir, sessionId) >= 10, 30_000);
    bot.child.kill('SIGTERM');
    await exited(bot.child);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alertLines(dataDir)).toEqual([]);
  });
});
