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
import { maskUrlsInText, maskWebhookUrl, scrubUrls, WebhookNotifier } from './webhook-notifier.js';

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
    // 1.5 s: long enough for the hanging server to have read each request on a loaded machine (at
    // 100 ms, two parallel test runs made a request time out before its body arrived; 400 ms left
    // that a 4x margin only). Three requests time out one after the other: 4.5 s.
    const notifier = new WebhookNotifier({ url: server.url, source: 's', onError: (e) => errors.push(e), timeoutMs: 1_500, retries: 0, maxQueue: 2 });
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
    expect(errors[0]?.message).toContain(`3 alerts not delivered to ${maskWebhookUrl(server.url)}:`);
    expect(errors[0]?.details.alertId).toBe([1, 2, 3].map((n) => fired(n).alertId).join(','));
    // Still usable afterwards (nothing pending: the bound does not wait).
    await notifier.drain(10_000);
    expect(errors).toHaveLength(1);
  });

  it('shows no more of its URL than scheme://host[:port] (path, query and user:password@ may all hold the token)', () => {
    expect(maskWebhookUrl('https://user:pw@hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX?token=abc&x=1')).toBe('https://hooks.example.com/…');
    expect(maskWebhookUrl('http://127.0.0.1:9000/hook')).toBe('http://127.0.0.1:9000/…');
    expect(maskWebhookUrl('http://LOCALHOST:18997/hook/TokUpper77')).toBe('http://localhost:18997/…');
    expect(maskWebhookUrl('http://h.example:81/?token=PAPERQTOK66')).toBe('http://h.example:81/…');
    expect(maskWebhookUrl('https://h.example')).toBe('https://h.example');
    expect(maskWebhookUrl('not a url Tok12345')).toBe('***');
  });

  it('masks the URL and any URL-looking text in an error message, whatever its form', () => {
    const url = 'http://alice:S3cretPw12@LocalHost:18992/h/Tok99?token=Q1w2e3r4';
    const text = 'Request cannot be constructed from a URL that includes credentials: http://alice:S3cretPw12@localhost:18992/h/Tok99?token=Q1w2e3r4';
    expect(scrubUrls(text, url)).toBe('Request cannot be constructed from a URL that includes credentials: http://localhost:18992/…');
    expect(scrubUrls(`bad ${url}.`, url)).toBe('bad http://localhost:18992/….');
    expect(maskUrlsInText('(see https://x.example/a/Tok(1)Zz, then ftp://u:Pw99999@y/z)')).toBe('(see https://x.example/…, then ftp://y/…)');
  });

  it('never writes the path or query token of its URL into the ERROR line, in any letter case', async () => {
    server = await startWebhookServer(() => 500);
    const port = new URL(server.url).port;
    const logs = join(tempDir('tradetrace-webhook-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20251026_100000', sink: new FileSink(logs) });
    for (const url of [`http://LOCALHOST:${port}/hook/TokUpper77`, `http://127.0.0.1:${port}/hook/AAAABBBBCCCCDDDDEEEE?token=PAPERQTOK66`]) {
      const notifier = new WebhookNotifier({ url, source: 's', onError: logWebhookError(recorder), retries: 1, backoffMs: 5 });
      notifier.notify(fired(1));
      await notifier.drain();
    }
    // And unreachable (a network error quotes what it tried).
    const closed = server.url.replace(/:\d+\//, ':1/');
    const unreachable = new WebhookNotifier({ url: `${closed}/TokClosed55`, source: 's', onError: logWebhookError(recorder), retries: 0 });
    unreachable.notify(fired(2));
    await unreachable.drain();
    recorder.close();
    const text = readFileSync(join(logs, 'system.jsonl'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
    for (const secret of ['TokUpper77', 'AAAABBBB', 'PAPERQTOK66', 'TokClosed55', '/hook']) expect(text).not.toContain(secret);
    expect(text).toContain(`(http://localhost:${port}/…, 2 attempt(s)`);
  });

  it('refuses a URL with user:password@ (fetch can never send it), without showing the password', () => {
    const make = () => new WebhookNotifier({ url: 'https://bob:Pw0rdRecheck@127.0.0.1:18992/h', source: 's', onError: () => undefined });
    expect(make).toThrow('webhook url https://127.0.0.1:18992/… must not carry user:password@');
    try {
      make();
    } catch (error) {
      expect(String(error)).not.toContain('Pw0rdRecheck');
      expect(String(error)).not.toContain('bob');
    }
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
    expect(() => new WebhookNotifier({ url: 'ftp://x/Tok12345', source: 's', onError: () => undefined })).toThrow('webhook url ftp://x/… must be http or https');
    expect(() => new WebhookNotifier({ url: 'not a url Tok12345', source: 's', onError: () => undefined })).toThrow(/^webhook url is not a URL; expected/);
  });
});
