import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus text exposition: `name{a="x",b="y"} value`, skipping comments; a bad line fails the test. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what()} (waited ${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const total = (samples: readonly Sample[], name: string) => samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);

/** What the running session's /metrics said, for the heartbeat and config-hash tests below. */
let scraped: { samples: readonly Sample[]; heartbeatLines: number; configHash: string; sessionId: string } | undefined;

describe('tradetrace paper --metrics-port: the real /metrics endpoint of a running session', () => {
  it('serves decision counters that grow while it runs, and stops cleanly on SIGTERM (server gone, exit 0)', async () => {
    const dataDir = join(tempDir('tradetrace-paper-metrics-'), 'data');
    const port = await freePort();
    const child = spawnCli(
      ['paper', '--synthetic', 'BTC/USDT', '--speed', '1200', '--duration', '2m', '--metrics-port', String(port), '--data-dir', dataDir, '--set', 'runtime.heartbeat_interval=500ms'],
      { env: { ENABLE_LIVE_DASHBOARD: 'false' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let pid: number | undefined;
    try {
      const url = await waitFor(() => /^metrics: (http:\/\/\S+)$/m.exec(stderr)?.[1], 30_000, () => `no "metrics: <url>" on stderr: ${stderr}`);
      expect(url).toBe(`http://127.0.0.1:${port}/metrics`);
      const sessionId = readdirSync(join(dataDir, 'sessions'))[0] ?? '';
      const sessionDir = join(dataDir, 'sessions', sessionId);
      const manifestPath = join(sessionDir, 'manifest.json');
      ({ pid } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { pid: number });

      const scrape = async () => {
        const response = await fetch(url);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        return parseExposition(await response.text());
      };
      // Decisions arrive within seconds at this speed; by then the watchdog has beaten (every 500 ms).
      const samples = await waitFor(async () => {
        const s = await scrape();
        return total(s, 'tradetrace_decisions_total') > 0 ? s : undefined;
      }, 30_000, () => `no decisions in /metrics; stderr: ${stderr}`);
      // Until the watchdog thread's heartbeats (every 500 ms) are in system.jsonl and in /metrics, not a
      // fixed 1.5 s later: its thread boots under tsx, seconds on a loaded machine.
      const countHeartbeatLines = (): number => readFileSync(join(dataDir, 'logs', 'system.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"SHUTDOWN_HEARTBEAT"') && l.includes(sessionId)).length;
      const settled = await waitFor(async () => {
        const s = await scrape();
        return countHeartbeatLines() > 0 && total(s, 'tradetrace_heartbeats_total') > 0 ? s : undefined;
      }, 30_000, () => `no SHUTDOWN_HEARTBEAT of ${sessionId} in system.jsonl and /metrics; stderr: ${stderr}`);
      const heartbeatLines = countHeartbeatLines();
      expect(heartbeatLines).toBeGreaterThan(0);
      const configHash = readFileSync(join(sessionDir, 'config_hash.txt'), 'utf8').trim();
      expect(configHash).toMatch(/^[0-9a-f]{8,}$/);
      expect(readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8')).toContain(`"event_type":"CONFIG_HASH","session_id":"${sessionId}"`);
      scraped = { samples: settled, heartbeatLines, configHash, sessionId };
      const outcomes = samples.filter((s) => s.name === 'tradetrace_decisions_total').map((s) => s.labels.outcome ?? '');
      expect(outcomes.every((o) => ['blocked', 'no_signal', 'filled', 'failed', 'error'].includes(o)), outcomes.join(',')).toBe(true);
      expect(samples.some((s) => s.name === 'tradetrace_last_heartbeat_timestamp_seconds')).toBe(true);
      // Node's default metrics ride along.
      expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);

      // The counters move while the session runs.
      const before = total(settled, 'tradetrace_decisions_total');
      const later = await waitFor(async () => {
        const s = await scrape();
        return total(s, 'tradetrace_decisions_total') > before ? s : undefined;
      }, 15_000, () => 'decisions_total did not grow');
      expect(total(later, 'tradetrace_decisions_total')).toBeGreaterThan(before);

      // SIGTERM goes to the bot itself (its pid is in the manifest), not to the tsx wrapper.
      process.kill(pid, 'SIGTERM');
      const code = await exited;
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(new RegExp(`paper session ${sessionId} ended: signal \\(exit 0\\)`));
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exit_reason?: string; exit_code?: number };
      expect(manifest).toMatchObject({ exit_reason: 'signal', exit_code: 0 });
      const system = readFileSync(join(dataDir, 'logs', 'system.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      const requested = system.find((l) => l.event_type === 'SHUTDOWN_REQUESTED' && l.session_id === sessionId);
      expect(requested?.reason).toBe('SIGTERM');
      const complete = system.find((l) => l.event_type === 'SHUTDOWN_COMPLETE' && l.session_id === sessionId);
      const components = (complete?.components ?? []) as { name: string; result: string }[];
      expect(components.find((c) => c.name === 'metrics')?.result).toBe('stopped');
      expect(components.every((c) => c.result === 'stopped'), JSON.stringify(components)).toBe(true);
      // The server is gone with the bot.
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        // After a failed assertion: the bot first (the wrapper does not pass SIGKILL on), then the wrapper.
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

  // The watchdog writes SHUTDOWN_HEARTBEAT from its worker thread through its own recorder; the
  // metrics read them back from system.jsonl, so the gauges say what the watchdog actually wrote.
  it('the heartbeat gauges follow the watchdog thread (last heartbeat time, loops alive)', () => {
    expect(scraped, 'the session test above did not get this far').toBeDefined();
    const samples = scraped?.samples ?? [];
    expect(scraped?.heartbeatLines ?? 0).toBeGreaterThan(0);
    const heartbeat = samples.find((s) => s.name === 'tradetrace_last_heartbeat_timestamp_seconds')?.value ?? 0;
    expect(Math.abs(heartbeat - Date.now() / 1000)).toBeLessThan(30);
    expect(total(samples, 'tradetrace_heartbeats_total')).toBeGreaterThan(0);
    expect(heartbeat).toBeGreaterThan(0);
    for (const loop of ['MarketDataLoop', 'DecisionLoop']) {
      expect(samples.some((s) => s.name === 'tradetrace_loop_alive' && s.labels.loop === loop && s.value === 1), loop).toBe(true);
    }
  });

  // CONFIG_HASH is written by the bootstrap before the metrics server exists: the hash is handed over at start.
  it('tradetrace_config_info carries the session config hash from sessions/<id>/config_hash.txt', () => {
    expect(scraped, 'the session test above did not get this far').toBeDefined();
    const info = (scraped?.samples ?? []).filter((s) => s.name === 'tradetrace_config_info');
    expect(info).toEqual([{ name: 'tradetrace_config_info', labels: { config_hash: scraped?.configHash, session_id: scraped?.sessionId }, value: 1 }]);
  });
});
