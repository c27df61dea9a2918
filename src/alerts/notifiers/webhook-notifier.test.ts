import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import type { AlertFired } from '../alert-transition.js';
import { startWebhookServer, type WebhookServer } from '../fixtures/webhook-server.js';
import { logWebhookError } from './log-webhook-error.js';
import type { WebhookError } from './webhook-error.js';
import { maskWebhookUrl, WebhookNotifier } from './webhook-notifier.js';

const fired = (n: number): AlertFired => ({
  kind: 'fired', alertId: `alt_${String(n).padStart(16, '0')}`, rule: 'fatal', subject: 'session_20251026_100000', severity: 'critical',
  message: 'FATAL', evidence: [{ file: 'system.jsonl', line: 3, event_type: 'FATAL', ts: '2025-10-26T10:00:00.000Z', id: 'session_20251026_100000' }],
  nextCommand: 'tradetrace health', at: Date.parse('2025-10-26T10:00:00.000Z'),
});

let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('WebhookNotifier against a real HTTP server', () => {
  it('POSTs the alert as JSON and retries after a 500, so the alert arrives once more, never lost', async () => {
    server = await startWebhookServer((n) => (n === 1 ? 500 : 200));
    const errors: WebhookError[] = [];
    const notifier = new WebhookNotifier({ url: server.url, source: 'session_x', onError: (e) => errors.push(e), backoffMs: 10 });
    notifier.notify(fired(1));
    await notifier.drain();
    expect(errors).toEqual([]);
    expect(server.received).toHaveLength(2);
    expect(server.received.map((r) => r.body['alert_id'])).toEqual([fired(1).alertId, fired(1).alertId]);
    expect(server.received[1]).toMatchObject({
      path: '/hook',
      contentType: 'application/json',
      body: { status: 'fired', rule: 'fatal', subject: 'session_20251026_100000', severity: 'critical', next_command: 'tradetrace health', source: 'session_x', at: '2025-10-26T10:00:00.000Z' },
    });
  });

  it('returns from notify before anything is sent (fire-and-forget)', async () => {
    server = await startWebhookServer();
    const notifier = new WebhookNotifier({ url: server.url, source: 's', onError: () => undefined });
    notifier.notify(fired(1));
    expect(server.received).toHaveLength(0);
    await notifier.drain();
    expect(server.received).toHaveLength(1);
  });

  it('gives up after the retries with exponential backoff, and the failure becomes an ERROR line, not a crash', async () => {
    server = await startWebhookServer(() => 503);
    const logs = join(tempDir('tradetrace-webhook-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs) });
    const notifier = new WebhookNotifier({ url: server.url, source: 's', onError: logWebhookError(recorder), retries: 2, backoffMs: 40 });
    const started = Date.now();
    notifier.notify(fired(1));
    await notifier.drain();
    // Waits of 40 then 80 ms between the three attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(server.received).toHaveLength(3);
    recorder.close();
    const lines = readFileSync(join(logs, 'system.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event_type: 'ERROR', level: 'error', error_code: 'webhook_http_status', component: 'alerts.webhook' });
    expect(String(lines[0]?.['message'])).toContain('HTTP 503');
    expect(String(lines[0]?.['message'])).toContain('3 attempt(s)');
  });

  it('does not retry a 4xx (the request itself is wrong)', async () => {
    server = await startWebhookServer(() => 404);
    const errors: WebhookError[] = [];
    const notifier = new WebhookNotifier({ url: server.url, source: 's', onError: (e) => errors.push(e), backoffMs: 10 });
    notifier.notify(fired(1));
    await notifier.drain();
    expect(server.received).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.retryable, e.details.status])).toEqual([['http_status', false, 404]]);
  });

  it('times out a webhook that never answers, and drops what overflows the bounded queue', async () => {
    server = await startWebhookServer(() => 'hang');
    const errors: WebhookError[] = [];
    // 400 ms: long enough for the hanging server to have read each request on a loaded machine (at
    // 100 ms, two parallel test runs made a request time out before its body arrived).
    const notifier = new WebhookNotifier({ url: server.url, source: 's', onError: (e) => errors.push(e), timeoutMs: 400, retries: 0, maxQueue: 2 });
    for (let n = 1; n <= 5; n++) notifier.notify(fired(n));
    // One in flight, two queued, two dropped at once.
    expect(errors.map((e) => e.code)).toEqual(['queue_full', 'queue_full']);
    await notifier.drain();
    expect(errors.map((e) => e.code)).toEqual(['queue_full', 'queue_full', 'timeout', 'timeout', 'timeout']);
    expect(server.received.map((r) => r.body['alert_id'])).toEqual([fired(1).alertId, fired(2).alertId, fired(3).alertId]);
  });

  it('drain(boundMs) against a webhook that never answers: returns within the bound, aborts the request, reports what was not delivered once', async () => {
    server = await startWebhookServer(() => 'hang');
    const errors: WebhookError[] = [];
    const notifier = new WebhookNotifier({ url: server.url, source: 's', onError: (e) => errors.push(e), timeoutMs: 30_000 });
    for (let n = 1; n <= 3; n++) notifier.notify(fired(n));
    const hook = server;
    while (hook.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    await notifier.drain(300);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(errors.map((e) => e.code)).toEqual(['undelivered']);
    expect(errors[0]?.message).toContain(`3 alerts not delivered to ${server.url}`);
    expect(errors[0]?.details.alertId).toBe([1, 2, 3].map((n) => fired(n).alertId).join(','));
    // Still usable afterwards (nothing pending: the bound does not wait).
    await notifier.drain(10_000);
    expect(errors).toHaveLength(1);
  });

  it('masks credentials in the URL it reports', () => {
    expect(maskWebhookUrl('https://user:pw@hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX?token=abc&x=1'))
      .toBe('https://***:***@hooks.example.com/services/T000/B000/XXXX***?token=***&x=***');
    expect(maskWebhookUrl('http://127.0.0.1:9000/hook')).toBe('http://127.0.0.1:9000/hook');
  });

  it('reports an unreachable webhook as a network error', async () => {
    server = await startWebhookServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const errors: WebhookError[] = [];
    const notifier = new WebhookNotifier({ url, source: 's', onError: (e) => errors.push(e), retries: 1, backoffMs: 5 });
    notifier.notify(fired(1));
    await notifier.drain();
    expect(errors.map((e) => [e.code, e.details.attempts])).toEqual([['network', 2]]);
  });

  it('rejects a URL that is not http(s), naming it', () => {
    expect(() => new WebhookNotifier({ url: 'ftp://x', source: 's', onError: () => undefined })).toThrow('webhook url "ftp://x" must be http or https');
    expect(() => new WebhookNotifier({ url: 'not a url', source: 's', onError: () => undefined })).toThrow(/is not a URL/);
  });
});
