import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookServer, type WebhookServer } from '../../alerts/fixtures/webhook-server.js';
import { spawnCliInOneProcess } from '../../../test/support/cli.js';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeConfigDrift, writeNoTrades, writeOrderFailures } from '../../investigate/testing/incidents.js';

/**
 * Starts `tradetrace alerts --follow ...`, waits until stderr holds `until` (or `until()` is true),
 * then stops it with SIGINT.
 */
async function followUntil(args: readonly string[], until: string | (() => boolean), env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCliInOneProcess(['alerts', '--follow', '--poll-ms', '50', ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const done = typeof until === 'string' ? () => stderr.includes(until) : until;
  // Only a bound on a watcher that never gets there: 90 s, as a loaded machine took 27 s for a whole case.
  const deadline = Date.now() + 90_000;
  while (!done() && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  return { code: await exited, stdout, stderr };
}

/** Every file under `dir`, read as text and joined. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('tradetrace alerts --follow on a directory without logs', () => {
  it('refuses a data directory that does not exist, naming it, and creates nothing', async () => {
    const dataDir = join(tempDir('tt-alerts-typo-'), 'typo');
    const r = await runQuery(['alerts', '--follow', '--data-dir', dataDir]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`tradetrace alerts: no such data directory ${dataDir}; check --data-dir or $TRADETRACE_DATA_DIR, or pass --wait to watch for a bot that has not started yet\n`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a data directory without logs/, and creates nothing', async () => {
    const dataDir = tempDir('tt-alerts-nologs-');
    mkdirSync(join(dataDir, 'sessions'));
    const r = await runQuery(['alerts', '--follow', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tradetrace alerts: ${dataDir} has no logs/ directory: no bot has run with it yet; check --data-dir or $TRADETRACE_DATA_DIR, or pass --wait to watch for a bot that has not started yet\n`);
    expect(existsSync(join(dataDir, 'logs'))).toBe(false);
  });

  it('with --wait, watches a directory the bot has not created yet', async () => {
    const dataDir = join(tempDir('tt-alerts-wait-'), 'data');
    const r = await followUntil(['--wait', '--data-dir', dataDir], 'watching');
    expect(r.stderr).toContain(`tradetrace alerts: watching ${join(dataDir, 'logs')} as watcher_`);
    expect(r.code).toBe(0);
    expect(existsSync(join(dataDir, 'logs'))).toBe(true);
  }, 150_000);
});

describe('tradetrace alerts without --follow', () => {
  it('says there are no logs (exit 3, as the other read commands) instead of "0 lines read ... 0 alerts fired"', async () => {
    const dataDir = join(tempDir('tt-alerts-once-'), 'typo');
    const r = await runQuery(['alerts', '--data-dir', dataDir]);
    expect([r.code, r.stdout]).toEqual([3, '']);
    expect(r.stderr).toBe(`tradetrace alerts: no such data directory ${dataDir}; check --data-dir or $TRADETRACE_DATA_DIR\n`);
  });

  it('refuses the flags that only a watch uses, instead of ignoring a webhook that would never be called', async () => {
    const dataDir = tempDir('tt-alerts-once-');
    writeNoTrades(dataDir);
    const r = await runQuery(['alerts', '--data-dir', dataDir, '--webhook', 'https://example.invalid/hook', '--poll-ms', '100']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('tradetrace alerts: --webhook, --poll-ms: only with --follow (without it, alerts evaluates the logs once and exits)\n');
    expect((await runQuery(['alerts', '--data-dir', dataDir])).code).toBe(0);
  });

  it('takes --failure-late-fill-grace (how long a timed-out order waits for a late fill before it counts as failed), and names the flag when it is bad', async () => {
    const dataDir = tempDir('tt-alerts-grace-');
    writeNoTrades(dataDir);
    const bad = await runQuery(['alerts', '--data-dir', dataDir, '--failure-late-fill-grace=-1']);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'tradetrace alerts: --failure-late-fill-grace must be >= 0\n']);
    expect((await runQuery(['alerts', '--data-dir', dataDir, '--failure-late-fill-grace', '0'])).code).toBe(0);
  });
});

describe('tradetrace alerts --follow with garbage in the logs', () => {
  it('summarizes the unreadable lines in one line instead of one line each', async () => {
    const dataDir = tempDir('tt-alerts-garbage-');
    writeNoTrades(dataDir);
    appendFileSync(join(dataDir, 'logs', 'system.jsonl'), Array.from({ length: 30 }, (_, i) => `garbage ${i}\n`).join(''));
    const r = await followUntil(['--data-dir', dataDir], 'skipped 30 unreadable lines in system.jsonl (lines ');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('skipped'))).toHaveLength(1);
  }, 150_000);
});

describe('tradetrace alerts --follow where it cannot write logs/alerts.jsonl', () => {
  it('says so at the start, then prints and posts every alert anyway, and keeps watching', async () => {
    server = await startWebhookServer(() => 200);
    const hook = server;
    const dataDir = tempDir('tt-alerts-unwritable-');
    // A config drift: open at catch-up, so the watcher alerts at once.
    writeConfigDrift(dataDir);
    const alerts = join(dataDir, 'logs', 'alerts.jsonl');
    // Where it cannot be created, even by root (a read-only mount or another user's directory in real life).
    symlinkSync(join(dataDir, 'no-such-dir', 'alerts.jsonl'), alerts);
    const r = await followUntil(['--data-dir', dataDir, '--webhook', `${hook.url}/x`], () => hook.received.length > 0);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`tradetrace alerts: cannot write ${alerts} (ENOENT: no such file or directory): alerts are printed here and sent to the webhook but not recorded\n`);
    expect(r.stderr).toMatch(/fired config_drift config \(alt_[0-9a-f]{16}\) was printed here and sent to the webhook but not recorded: /);
    expect(r.stdout).toMatch(/config_drift/);
    expect(hook.received).toHaveLength(1);
  }, 150_000);
});

describe('tradetrace alerts --follow: its logs/alerts.jsonl as the bot keeps its logs', () => {
  it('rotates it past recorder.rotate_mb, gzips what it rotated after recorder.compress_after, and applies recorder.keep_rotated_for', async () => {
    const dataDir = tempDir('tt-alerts-rotation-');
    // A config drift: open at catch-up, so the watcher alerts at once.
    writeConfigDrift(dataDir);
    const logs = join(dataDir, 'logs');
    // Earlier watches' lines, past 1 MiB: the watcher's first alert makes the file pass recorder.rotate_mb.
    const earlier = Array.from({ length: 9000 }, (_, i) => `{"ts":"2025-10-26T08:00:00.000Z","level":"info","event_type":"LOG","session_id":"watcher_20251026T080000000Z_1","seq":${i + 1},"message":"an earlier watch, line ${String(i).padStart(80, '0')}"}\n`).join('');
    writeFileSync(join(logs, 'alerts.jsonl'), earlier);
    expect(Buffer.byteLength(earlier)).toBeGreaterThan(1024 * 1024);
    // Two rotated decision files of 2020: the older goes under keep_rotated_for 30d (a channel's newest rotated file is always kept).
    writeFileSync(join(logs, 'decisions.20200101T000000000Z.jsonl.gz'), gzipSync(''));
    writeFileSync(join(logs, 'decisions.20200102T000000000Z.jsonl.gz'), gzipSync(''));
    const rotatedAlerts = (): string[] => readdirSync(logs).filter((name) => /^alerts\.\d{8}T\d{9}Z(_\d+)?\.jsonl\.gz$/.test(name));
    const system = join(logs, 'system.jsonl');
    const settings = ['--set', 'recorder.rotate_mb=1', '--set', 'recorder.compress_after=1s', '--set', 'recorder.keep_rotated_for=30d'];
    const r = await followUntil(['--data-dir', dataDir, ...settings], () => rotatedAlerts().length > 0 && readFileSync(system, 'utf8').includes('deleted 1 rotated log file'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/config_drift/);
    expect(r.stderr).not.toContain('unreadable');
    // The rotated file holds the earlier lines and then the alert, gzipped, and nothing is left plain.
    expect(rotatedAlerts()).toHaveLength(1);
    const [rotated] = rotatedAlerts();
    const lines = gunzipSync(readFileSync(join(logs, rotated ?? ''))).toString('utf8').split('\n').filter(Boolean);
    expect(lines.slice(0, 9000).join('\n')).toBe(earlier.trimEnd());
    expect(lines.slice(9000).map((l) => (JSON.parse(l) as { event_type: string }).event_type)).toEqual(['ALERT_FIRED']);
    expect(readdirSync(logs).filter((name) => /^alerts\..+\.jsonl$/.test(name))).toEqual([]);
    expect(existsSync(join(logs, 'decisions.20200101T000000000Z.jsonl.gz'))).toBe(false);
    expect(existsSync(join(logs, 'decisions.20200102T000000000Z.jsonl.gz'))).toBe(true);
    const pruned = readFileSync(system, 'utf8').split('\n').filter((l) => l.includes('deleted 1 rotated log file')).map((l) => JSON.parse(l) as { session_id: string; data: { deleted: string[] } });
    expect(pruned).toMatchObject([{ session_id: expect.stringMatching(/^watcher_/) as string, data: { deleted: ['decisions.20200101T000000000Z.jsonl.gz'] } }]);
  }, 150_000);
});

describe('tradetrace alerts --follow: the webhook and its secrets', () => {
  it('takes the webhook from $TRADETRACE__ALERTS__WEBHOOK_URL (off the command line) and never writes its path or query token anywhere', async () => {
    server = await startWebhookServer(() => 500);
    const hook = server;
    const dataDir = tempDir('tt-alerts-envhook-');
    // A config drift: open at catch-up, so the watcher posts it at once.
    writeConfigDrift(dataDir);
    const url = `${hook.url}/TokEnv123?token=QTokEnv456`;
    const system = join(dataDir, 'logs', 'system.jsonl');
    const r = await followUntil(['--data-dir', dataDir], () => readFileSync(system, 'utf8').includes('webhook_http_status'), { TRADETRACE__ALERTS__WEBHOOK_URL: url });
    expect(r.code).toBe(0);
    // Before: the command had no config; the webhook was only reachable through --webhook (visible in ps).
    expect(hook.received.length).toBeGreaterThan(0);
    expect(hook.received[0]?.path).toBe('/hook/TokEnv123?token=QTokEnv456');
    const error = readFileSync(system, 'utf8').split('\n').find((l) => l.includes('webhook_http_status')) ?? '';
    expect(error).toContain(`(http://127.0.0.1:${new URL(hook.url).port}/…, 4 attempt(s)`);
    for (const secret of ['TokEnv123', 'QTokEnv456']) {
      expect(allText(dataDir)).not.toContain(secret);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
  }, 150_000);

  it('refuses a --webhook with user:password@ up front (exit 2, fetch could never send it), without printing the password or logging anything', async () => {
    const dataDir = tempDir('tt-alerts-userinfo-');
    writeNoTrades(dataDir);
    const before = readFileSync(join(dataDir, 'logs', 'system.jsonl'), 'utf8');
    const r = await runQuery(['alerts', '--follow', '--data-dir', dataDir, '--webhook', 'https://bob:Pw0rdRecheck@127.0.0.1:18992/h']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('tradetrace alerts: --webhook: webhook url https://127.0.0.1:18992/… must not carry user:password@ (fetch cannot send it); put the token in the path or query\n');
    expect(readFileSync(join(dataDir, 'logs', 'system.jsonl'), 'utf8')).toBe(before);
    expect(allText(dataDir)).not.toContain('Pw0rdRecheck');
  });

  it('refuses alerts.webhook_url with user:password@ from a --config file as the invalid config it is, naming the key', async () => {
    const dataDir = tempDir('tt-alerts-cfghook-');
    writeNoTrades(dataDir);
    const file = join(tempDir('tt-alerts-cfg-'), 'bot.json');
    writeFileSync(file, JSON.stringify({ alerts: { webhook_url: 'http://alice:S3cretPw12@127.0.0.1:18992/h' } }));
    const r = await runQuery(['alerts', '--follow', '--data-dir', dataDir, '--config', file]);
    expect(r.code).toBe(2);
    // The config schema refuses it (one check with the notifier's), so the bot and config refuse it too.
    expect(r.stderr).toContain('alerts.webhook_url: expected an http(s) URL with no user:password@ (fetch cannot send it; put the token in the path or query), got "[REDACTED]"');
    expect(allText(dataDir)).not.toContain('S3cretPw12');
  });
});

describe('tradetrace alerts: the rules as the bot configures them', () => {
  // From 11:01:30 on, the fixture holds four order intents, all failed.
  const since = ['--since', '2025-10-26T11:01:30Z', '--rules', 'order_failure_rate'];

  it('judges with the config defaults the bot uses (alerts.order_failure_min_count 4, alerts.order_failure_window 15m), not 5 and 600 s', async () => {
    const dataDir = tempDir('tt-alerts-defaults-');
    writeOrderFailures(dataDir);
    const r = await runQuery(['alerts', '--data-dir', dataDir, ...since]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FIRED    order_failure_rate [orders] warning: 4 of 4 order intents failed (100% > 50%) in the last 900 s');
  });

  it('reads alerts.* from --set, the environment and a --config file; a flag still wins', async () => {
    const dataDir = tempDir('tt-alerts-cfgkeys-');
    writeOrderFailures(dataDir);
    const fired = async (args: readonly string[], env: NodeJS.ProcessEnv = {}) => (await runQuery(['alerts', '--data-dir', dataDir, ...since, ...args], { env })).stdout.includes('FIRED');
    expect(await fired(['--set', 'alerts.order_failure_min_count=5'])).toBe(false);
    expect(await fired([], { TRADETRACE__ALERTS__ORDER_FAILURE_MIN_COUNT: '5' })).toBe(false);
    const file = join(tempDir('tt-alerts-cfg-'), 'bot.yaml');
    writeFileSync(file, 'alerts:\n  order_failure_min_count: 5\n');
    expect(await fired(['--config', file])).toBe(false);
    expect(await fired(['--config', file, '--failure-min-intents', '4'])).toBe(true);
  });

  it('leaves the config drift rule out when alerts.config_drift is false, as the bot does', async () => {
    const dataDir = tempDir('tt-alerts-nodrift-');
    writeConfigDrift(dataDir);
    expect((await runQuery(['alerts', '--data-dir', dataDir])).stdout).toContain('FIRED    config_drift');
    const off = await runQuery(['alerts', '--data-dir', dataDir, '--set', 'alerts.config_drift=false']);
    expect(off.stdout).not.toContain('config_drift');
    expect((await runQuery(['alerts', '--data-dir', dataDir, '--set', 'alerts.config_drift=false', '--rules', 'config_drift'])).stdout).toContain('FIRED    config_drift');
  });

  it('reports a bad config key as the bot does (exit 2), without echoing a secret', async () => {
    const dataDir = tempDir('tt-alerts-badcfg-');
    writeNoTrades(dataDir);
    const r = await runQuery(['alerts', '--data-dir', dataDir, '--set', 'alerts.order_failure_window=bad']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('tradetrace alerts: invalid config (1 problem):\n  - alerts.order_failure_window: expected a duration');
  });
});
