import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { diffConfigs } from './query/drift-query.js';
import { changeLine } from './render/drift-change.js';
import { SessionWriter } from './testing/session-writer.js';

const hash = (c: string): string => `sha256:${c.repeat(64)}`;

/** A session's audit lines as the bot writes them: CONFIG_HASH, then CONFIG_DIFF with each secret as "[changed]" on both sides. */
function session(dataDir: string, id: string, start: string, config: Record<string, unknown>, previous?: { id: string; hash: string; secrets: string[] }): string {
  const s = new SessionWriter({ dataDir, sessionId: id, start: new Date(start), config });
  if (previous) {
    s.emit('CONFIG_DIFF', {
      message: `Config drift detected: ${previous.hash.slice(0, 8)} -> ${s.hash.slice(0, 8)}`,
      prev_hash: previous.hash,
      current_hash: s.hash,
      prev_session: previous.id,
      changes: previous.secrets.map((path) => ({ path, from: '[changed]', to: '[changed]' })),
    });
  }
  s.tick(1000).end('signal', 0);
  return s.hash;
}

function changeLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^ {2}[a-z_]+\.[a-z_]+: /.test(line));
}

describe('drift shows whether a secret was set, never its value', () => {
  it('reads set and unset from the CONFIG_HASH snapshots the CONFIG_DIFF line was logged with', async () => {
    const dir = tempDir('tt-drift-secret-');
    const none = { exchange: { name: 'paper', api_key: null, api_secret: null }, alerts: { webhook_url: null } };
    const added = { exchange: { name: 'paper', api_key: hash('a'), api_secret: null }, alerts: { webhook_url: hash('w') } };
    const rotated = { exchange: { name: 'paper', api_key: hash('b'), api_secret: null }, alerts: { webhook_url: null } };
    const h1 = session(dir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z', none);
    const h2 = session(dir, 'session_20251026_100000', '2025-10-26T10:00:00.000Z', added, { id: 'session_20251026_090000', hash: h1, secrets: ['alerts.webhook_url', 'exchange.api_key'] });
    session(dir, 'session_20251026_110000', '2025-10-26T11:00:00.000Z', rotated, { id: 'session_20251026_100000', hash: h2, secrets: ['alerts.webhook_url', 'exchange.api_key'] });

    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(changeLines(text.stdout)).toEqual([
      '  alerts.webhook_url: (unset) -> [set]',
      '  exchange.api_key: (unset) -> [set]',
      '  alerts.webhook_url: [set] -> (unset)',
      '  exchange.api_key: [secret changed]',
    ]);
    expect(text.stdout).not.toContain('sha256');

    const json = JSON.parse((await runQuery(['drift', '--json', '--data-dir', dir])).stdout) as { drifts: { changes: unknown[] }[] };
    // The values stay as the bot logged them, so a reader of the old shape is not misled; `secret` adds the sides.
    expect(json.drifts.map((d) => d.changes)).toEqual([
      [
        { path: 'alerts.webhook_url', from: '[changed]', to: '[changed]', secret: { from: 'unset', to: 'set' }, fromSource: null, toSource: null },
        { path: 'exchange.api_key', from: '[changed]', to: '[changed]', secret: { from: 'unset', to: 'set' }, fromSource: null, toSource: null },
      ],
      [
        { path: 'alerts.webhook_url', from: '[changed]', to: '[changed]', secret: { from: 'set', to: 'unset' }, fromSource: null, toSource: null },
        { path: 'exchange.api_key', from: '[changed]', to: '[changed]', secret: { from: 'set', to: 'set' }, fromSource: null, toSource: null },
      ],
    ]);
  });

  it('reads an older version\'s snapshots too: a secret redacted by key name is set, an empty one unset', async () => {
    const dir = tempDir('tt-drift-secret-old-');
    const h1 = session(dir, 'session_20251026_090000', '2025-10-26T09:00:00.000Z', { exchange: { api_key: '[REDACTED]', api_secret: '' } });
    session(dir, 'session_20251026_100000', '2025-10-26T10:00:00.000Z', { exchange: { api_key: '', api_secret: '[REDACTED]' } }, { id: 'session_20251026_090000', hash: h1, secrets: ['exchange.api_key', 'exchange.api_secret'] });
    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(changeLines(text.stdout)).toEqual(['  exchange.api_key: [set] -> (unset)', '  exchange.api_secret: (unset) -> [set]']);
  });

  it('masks a CONFIG_DIFF row that carries a secret\'s hash (not as the bot writes it) the same way', async () => {
    const dir = tempDir('tt-drift-secret-hash-');
    const before = { alerts: { webhook_url: hash('c') } };
    const first = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_090000', start: new Date('2025-10-26T09:00:00.000Z'), config: before });
    first.tick(1000).end('signal', 0);
    // The test writer logs CONFIG_DIFF with the snapshots' own values: here both hashes.
    const second = new SessionWriter({ dataDir: dir, sessionId: 'session_20251026_100000', start: new Date('2025-10-26T10:00:00.000Z'), config: { alerts: { webhook_url: hash('d') } }, previous: { sessionId: first.sessionId, config: before } });
    second.tick(1000).end('signal', 0);
    const text = await runQuery(['drift', '--data-dir', dir]);
    expect(changeLines(text.stdout)).toEqual(['  alerts.webhook_url: [secret changed]']);
    expect(text.stdout).not.toContain('sha256');
  });

  it('without a CONFIG_DIFF line, computes the same from the two snapshots', () => {
    const rows = diffConfigs(
      { exchange: { api_key: null, api_secret: hash('s') }, alerts: { webhook_url: hash('c') } },
      { exchange: { api_key: hash('a'), api_secret: hash('t') }, alerts: { webhook_url: '' } },
    );
    expect(rows.map(changeLine)).toEqual(['alerts.webhook_url: [set] -> (unset)', 'exchange.api_key: (unset) -> [set]', 'exchange.api_secret: [secret changed]']);
    // null and "" are both unset: no change to show.
    expect(diffConfigs({ exchange: { api_key: null } }, { exchange: { api_key: '' } })).toEqual([]);
  });

  it('a secret whose snapshot is missing is only "changed": nothing claims it was set or unset', () => {
    expect(changeLine({ path: 'exchange.api_key', from: '[changed]', to: '[changed]', secret: { from: 'unknown', to: 'set' } })).toBe('exchange.api_key: [secret changed]');
    expect(changeLine({ path: 'trading.max_open_positions', from: null, to: 2 })).toBe('trading.max_open_positions: (absent) -> 2');
  });
});
