import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

interface Posted {
  readonly status: string;
  readonly alert_id: string;
  readonly rule: string;
  readonly source: string;
}

describe('tradetrace paper with alerts.webhook_url: the in-bot alerts POST to a real local server', () => {
  it('an order failure rate alert of a real session reaches the webhook once, with the session as source', async () => {
    const posts: Posted[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/hook') posts.push(JSON.parse(body) as Posted);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const dataDir = join(tempDir('tradetrace-paper-webhook-'), 'data');
      // Every order rejected: the order_failure_rate rule fires after its minimum count of intents.
      const result = await runCli(
        ['paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '4s', '--data-dir', dataDir,
          '--set', 'paper_exchange.fault_reject=1', '--set', `alerts.webhook_url=http://127.0.0.1:${port}/hook`],
        { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/FIRED +order_failure_rate/);
      // The printed next step reads this session's data dir wherever it is pasted.
      expect(result.stderr).toContain(`next: tradetrace orders --status failed --data-dir ${dataDir}  (alert alt_`);

      const alerts = readFileSync(join(dataDir, 'logs', 'alerts.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      const fired = alerts.filter((a) => a.event_type === 'ALERT_FIRED' && a.rule === 'order_failure_rate');
      expect(fired).toHaveLength(1);
      const sessionId = String(fired[0]?.session_id);
      // The queue is drained at shutdown, before the process exits: the POST is already here.
      const firedPosts = posts.filter((p) => p.status === 'fired');
      expect(firedPosts).toHaveLength(1);
      expect(firedPosts[0]).toMatchObject({ rule: 'order_failure_rate', source: sessionId, alert_id: fired[0]?.alert_id });
      // The URL is a credential: it never reaches the flight record in clear.
      const audit = readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8');
      expect(audit).not.toContain(`127.0.0.1:${port}/hook`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 90_000);
});
