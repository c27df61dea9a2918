import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { BTC_PERP_CSV } from '../../test/support/shared-data.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { WebhookNotifier } from '../alerts/notifiers/webhook-notifier.js';
import { loadConfig } from './load-config.js';

const PASSWORD = 'PassWord4Hook';
const WITH_CREDENTIALS = `http://user:${PASSWORD}@127.0.0.1:1/hook`;

describe('alerts.webhook_url with user:password@', () => {
  it('is a config problem, as the notifier refuses it, with the password never shown', () => {
    const loaded = loadConfig({ env: {}, sets: [`alerts.webhook_url=${WITH_CREDENTIALS}`], flags: [], cwd: tempDir('tt-hook-cfg-') });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors).toEqual([expect.objectContaining({ path: 'alerts.webhook_url' })]);
    expect(JSON.stringify(loaded.errors)).not.toContain(PASSWORD);
    expect(() => new WebhookNotifier({ url: WITH_CREDENTIALS, source: 's', onError: () => undefined })).toThrow('must not carry user:password@');
    // What both take is still taken by both.
    const plain = 'https://hooks.example.com/services/T0/B0/token';
    expect(loadConfig({ env: {}, sets: [`alerts.webhook_url=${plain}`], flags: [], cwd: tempDir('tt-hook-cfg-') }).ok).toBe(true);
    expect(() => new WebhookNotifier({ url: plain, source: 's', onError: () => undefined })).not.toThrow();
  });

  it('makes config exit 2, and paper exit 2 before it writes any session or log line', async () => {
    const config = await runQuery(['config', '--set', `alerts.webhook_url=${WITH_CREDENTIALS}`]);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('alerts.webhook_url: expected an http(s) URL with no user:password@');
    expect(config.stdout + config.stderr).not.toContain(PASSWORD);

    const dataDir = join(tempDir('tt-hook-paper-'), 'data');
    const paper = await runQuery(['paper', '--data', BTC_PERP_CSV, '--set', 'trading.quote_currency=USD', '--speed', 'max', '--duration', '2s', '--data-dir', dataDir, '--set', `alerts.webhook_url=${WITH_CREDENTIALS}`]);
    expect(paper.code).toBe(2);
    expect(paper.stderr).toContain('nothing started');
    expect(paper.stdout + paper.stderr).not.toContain(PASSWORD);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });
});
